def sum_squares_mod_7(n):
    acc = 0
    i = 0
    while i < n:
        acc += (i * i) % 7
        i += 1
    return acc


def main():
    print(sum_squares_mod_7(30000000))


main()
