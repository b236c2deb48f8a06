#include <stdio.h>
#include <stdlib.h>

#define N 200000

static void merge(long *v, long *tmp, long lo, long mid, long hi)
{
    long i = lo, j = mid, k = lo;
    while (i < mid && j < hi) {
        if (v[i] <= v[j]) tmp[k++] = v[i++];
        else tmp[k++] = v[j++];
    }
    while (i < mid) tmp[k++] = v[i++];
    while (j < hi) tmp[k++] = v[j++];
    for (k = lo; k < hi; k++) v[k] = tmp[k];
}

/* sorts v[lo, hi) */
static void merge_sort(long *v, long *tmp, long lo, long hi)
{
    if (hi - lo < 2) return;
    long mid = (lo + hi) / 2;
    merge_sort(v, tmp, lo, mid);
    merge_sort(v, tmp, mid, hi);
    merge(v, tmp, lo, mid, hi);
}

int main(void)
{
    long *v = malloc(N * sizeof *v);
    long *tmp = malloc(N * sizeof *tmp);
    long x = 42;
    for (long i = 0; i < N; i++) {
        x = (x * 1103515245L + 12345L) % 2147483648L;
        v[i] = x;
    }
    merge_sort(v, tmp, 0, N);
    long sum = 0;
    for (int i = 0; i < 10; i++) sum += v[i];
    printf("%ld %ld\n", v[100000], sum);
    return 0;
}
