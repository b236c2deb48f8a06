# Placed queens: an immutable linked list of (column, rest) tuples,
# most recent first; None is the empty list.


def safe(col, placed, dist):
    if placed is None:
        return True
    q, rest = placed
    if q == col or q == col + dist or q == col - dist:
        return False
    return safe(col, rest, dist + 1)


def place(n, row, placed):
    if row == n:
        return 1
    count = 0
    for col in range(n):
        if safe(col, placed, 1):
            count += place(n, row + 1, (col, placed))
    return count


def main():
    print(place(9, 0, None))


main()
