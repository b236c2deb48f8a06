#include <stdio.h>

static long run(long n)
{
    long acc = 0;
    for (long i = 0; i < n; i++)
        acc += (i * i) % 7;
    return acc;
}

int main(void)
{
    printf("%ld\n", run(30000000));
    return 0;
}
