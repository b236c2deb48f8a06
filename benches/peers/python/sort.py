def random_list(n, seed):
    v = [0] * n
    x = seed
    for i in range(n):
        x = (x * 1103515245 + 12345) % 2147483648
        v[i] = x
    return v


def merge(v, tmp, lo, mid, hi):
    """Merge the sorted runs v[lo:mid] and v[mid:hi] through tmp."""
    i, j, k = lo, mid, lo
    while i < mid and j < hi:
        if v[i] <= v[j]:
            tmp[k] = v[i]
            i += 1
        else:
            tmp[k] = v[j]
            j += 1
        k += 1
    while i < mid:
        tmp[k] = v[i]
        i += 1
        k += 1
    while j < hi:
        tmp[k] = v[j]
        j += 1
        k += 1
    for k in range(lo, hi):
        v[k] = tmp[k]


def merge_sort(v, tmp, lo, hi):
    """Sort v[lo:hi] in place."""
    if hi - lo > 1:
        mid = (lo + hi) // 2
        merge_sort(v, tmp, lo, mid)
        merge_sort(v, tmp, mid, hi)
        merge(v, tmp, lo, mid, hi)


def main():
    n = 200000
    v = random_list(n, 42)
    tmp = [0] * n
    merge_sort(v, tmp, 0, n)
    print(v[100000], sum(v[:10]))


main()
