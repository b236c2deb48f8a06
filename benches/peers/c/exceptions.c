#include <setjmp.h>
#include <stdio.h>

static jmp_buf *handler;
static long error_data;

static void raise_error(long data)
{
    error_data = data;
    longjmp(*handler, 1);
}

static long check(long i)
{
    if (i % 2 == 1) raise_error(i);
    return i;
}

static long try_check(long i)
{
    jmp_buf here;
    jmp_buf *saved = handler;
    handler = &here;
    if (setjmp(here) == 0) {
        long v = check(i);
        handler = saved;
        return v;
    }
    handler = saved;
    return error_data;
}

int main(void)
{
    long total = 0;
    for (long i = 0; i < 300000; i++)
        total += try_check(i);
    printf("%ld\n", total);
    return 0;
}
