#include <stdio.h>

/* Placed queens: an immutable linked list, most recent first. */
typedef struct node {
    int col;
    const struct node *next;
} node;

static int safe(int col, const node *placed, int dist)
{
    if (placed == NULL) return 1;
    int q = placed->col;
    if (q == col || q == col + dist || q == col - dist) return 0;
    return safe(col, placed->next, dist + 1);
}

static long place(int n, int row, const node *placed)
{
    if (row == n) return 1;
    long count = 0;
    for (int col = 0; col < n; col++) {
        if (safe(col, placed, 1)) {
            node cell = { col, placed };
            count += place(n, row + 1, &cell);
        }
    }
    return count;
}

int main(void)
{
    printf("%ld\n", place(9, 0, NULL));
    return 0;
}
