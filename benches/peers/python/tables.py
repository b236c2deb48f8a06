def fill_table(n, nkeys):
    counts = {}
    for i in range(n):
        key = "k" + str(i % nkeys)
        counts[key] = counts.get(key, 0) + i
    return counts


def main():
    counts = fill_table(200000, 50000)
    total = 0
    for v in counts.values():
        total += v
    print(total)
    print(len(counts))


main()
