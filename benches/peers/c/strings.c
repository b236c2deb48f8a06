#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 100000

int main(void)
{
    /* the decimal strings of 0..N-1 */
    char **parts = malloc(N * sizeof *parts);
    size_t total_len = 0;
    for (int i = 0; i < N; i++) {
        char buf[32];
        int len = snprintf(buf, sizeof buf, "%d", i);
        parts[i] = malloc(len + 1);
        memcpy(parts[i], buf, len + 1);
        total_len += len + 1;
    }
    /* join with "," */
    char *joined = malloc(total_len + 1);
    char *p = joined;
    for (int i = 0; i < N; i++) {
        if (i > 0) *p++ = ',';
        size_t len = strlen(parts[i]);
        memcpy(p, parts[i], len);
        p += len;
    }
    *p = '\0';
    /* split on "," into fresh strings */
    size_t cap = 16, count = 0;
    char **pieces = malloc(cap * sizeof *pieces);
    const char *start = joined;
    for (;;) {
        const char *comma = strchr(start, ',');
        size_t len = comma ? (size_t)(comma - start) : strlen(start);
        if (count == cap) {
            cap *= 2;
            pieces = realloc(pieces, cap * sizeof *pieces);
        }
        pieces[count] = malloc(len + 1);
        memcpy(pieces[count], start, len);
        pieces[count][len] = '\0';
        count++;
        if (!comma) break;
        start = comma + 1;
    }
    long total = 0;
    for (size_t i = 0; i < count; i++)
        total += (long)strlen(pieces[i]);
    printf("%ld\n", total);
    return 0;
}
