class OddError(Exception):
    def __init__(self, data):
        super().__init__("odd")
        self.data = data


def check(i):
    if i % 2 == 1:
        raise OddError(i)
    return i


def main():
    total = 0
    for i in range(300000):
        try:
            v = check(i)
        except Exception as e:
            v = e.data
        total += v
    print(total)


main()
