#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growable open-addressing hash table with string keys. */
typedef struct {
    char *key;
    long value;
} entry;

typedef struct {
    entry *slots;
    size_t cap;
    size_t len;
} table;

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static char *copy_string(const char *s)
{
    size_t len = strlen(s);
    char *p = malloc(len + 1);
    memcpy(p, s, len + 1);
    return p;
}

static void table_init(table *t)
{
    t->cap = 8;
    t->len = 0;
    t->slots = calloc(t->cap, sizeof(entry));
}

static entry *find_slot(entry *slots, size_t cap, const char *key)
{
    size_t i = hash(key) & (cap - 1);
    while (slots[i].key && strcmp(slots[i].key, key) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static void grow(table *t)
{
    size_t ncap = t->cap * 2;
    entry *ns = calloc(ncap, sizeof(entry));
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].key)
            *find_slot(ns, ncap, t->slots[i].key) = t->slots[i];
    free(t->slots);
    t->slots = ns;
    t->cap = ncap;
}

static long table_get(table *t, const char *key, long dflt)
{
    entry *e = find_slot(t->slots, t->cap, key);
    return e->key ? e->value : dflt;
}

static void table_put(table *t, const char *key, long value)
{
    entry *e = find_slot(t->slots, t->cap, key);
    if (e->key) {
        e->value = value;
        return;
    }
    if ((t->len + 1) * 4 > t->cap * 3) {
        grow(t);
        e = find_slot(t->slots, t->cap, key);
    }
    e->key = copy_string(key);
    e->value = value;
    t->len++;
}

int main(void)
{
    table t;
    table_init(&t);
    char key[32];
    for (long i = 0; i < 200000; i++) {
        snprintf(key, sizeof key, "k%ld", i % 50000);
        table_put(&t, key, table_get(&t, key, 0) + i);
    }
    long total = 0;
    for (size_t i = 0; i < t.cap; i++)
        if (t.slots[i].key) total += t.slots[i].value;
    printf("%ld\n", total);
    printf("%zu\n", t.len);
    return 0;
}
