def main():
    parts = [str(i) for i in range(100000)]
    joined = ",".join(parts)
    pieces = joined.split(",")
    total = 0
    for p in pieces:
        total += len(p)
    print(total)


main()
