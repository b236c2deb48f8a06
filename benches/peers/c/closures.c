#include <stdio.h>
#include <stdlib.h>

/* C has no closures: a counter is a heap-allocated environment holding the
   mutable count, called through a function pointer. */
typedef struct counter {
    long count;
    long (*call)(struct counter *self, long n);
} counter;

static long counter_call(counter *self, long n)
{
    self->count += n;
    return self->count;
}

static counter *make_counter(void)
{
    counter *c = malloc(sizeof *c);
    c->count = 0;
    c->call = counter_call;
    return c;
}

static long run(int ncounters, long rounds)
{
    counter **counters = malloc(ncounters * sizeof *counters);
    for (int i = 0; i < ncounters; i++)
        counters[i] = make_counter();
    for (long r = 0; r < rounds; r++)
        for (int i = 0; i < ncounters; i++)
            counters[i]->call(counters[i], r);
    long total = 0;
    for (int i = 0; i < ncounters; i++)
        total += counters[i]->call(counters[i], 0);
    for (int i = 0; i < ncounters; i++)
        free(counters[i]);
    free(counters);
    return total;
}

int main(void)
{
    printf("%ld\n", run(1000, 20000));
    return 0;
}
