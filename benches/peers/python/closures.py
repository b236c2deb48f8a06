def make_counter():
    count = 0

    def counter(n):
        nonlocal count
        count += n
        return count

    return counter


def main():
    counters = [make_counter() for _ in range(1000)]
    for r in range(20000):
        for c in counters:
            c(r)
    total = 0
    for c in counters:
        total += c(0)
    print(total)


main()
