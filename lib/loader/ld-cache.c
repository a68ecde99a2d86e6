/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ld-cache.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macro.h"
#include "read-file.h"
#include "strv.h"

#define OLD_MAGIC "ld.so-1.7.0"
#define NEW_MAGIC "glibc-ld.so.cache1.1"

/* Layout of the on-disk structures (host byte order, as ldconfig writes them). */
#define OLD_HEADER_SIZE 16u          /* magic[11], pad, uint32 nlibs */
#define OLD_ENTRY_SIZE 12u           /* int32 flags, uint32 key, uint32 value */
#define NEW_HEADER_SIZE 48u          /* magic[20], nlibs, len_strings, flags, pad[3], ext offset, unused[3] */
#define NEW_ENTRY_SIZE 24u           /* the old entry, uint32 osversion, uint64 hwcap */
#define NEW_HEADER_ALIGN 8u

#define NEW_NLIBS_OFFSET 20u
#define NEW_FLAGS_OFFSET 28u
#define NEW_EXTENSION_OFFSET 32u

#define ENDIAN_MASK 3u
#define ENDIAN_LITTLE 2u
#define ENDIAN_BIG 3u

#define EXTENSION_MAGIC 0xEAA42174u
#define EXTENSION_TAG_GLIBC_HWCAPS 1u
#define EXTENSION_HEADER_SIZE 8u     /* magic, count */
#define EXTENSION_SECTION_SIZE 16u   /* tag, flags, offset, size */

/* hwcap field: bit 62 alone in the upper half (ignoring the ISA level bits)
 * marks an entry whose lower half indexes the glibc-hwcaps section. */
#define HWCAP_EXTENSION (UINT64_C(1) << 62)
#define HWCAP_ISA_LEVEL_MASK UINT64_C(0x3ff)
#define HWCAP_TLS_MASK (UINT64_C(1) << 63)

struct LdCache {
        uint8_t *file;           /* the whole file plus a NUL byte, so strings always end */
        size_t size;
        size_t entries_offset;   /* file offset of the table used for lookups */
        size_t entry_size;       /* OLD_ENTRY_SIZE or NEW_ENTRY_SIZE */
        uint32_t n_entries;
        size_t strings_offset;   /* entries' key/value offsets are relative to this */
        size_t strings_size;
        uint32_t *hwcaps;        /* glibc-hwcaps section: string offsets from the file start */
        uint32_t n_hwcaps;
};

typedef struct CacheEntry {
        int32_t flags;
        uint32_t key, value;
        uint64_t hwcap;
} CacheEntry;

static uint32_t read_u32(const uint8_t *p) {
        uint32_t v;
        memcpy(&v, p, sizeof(v));
        return v;
}

static uint64_t read_u64(const uint8_t *p) {
        uint64_t v;
        memcpy(&v, p, sizeof(v));
        return v;
}

static bool table_fits(size_t size, size_t offset, size_t header, size_t entry, uint32_t n) {
        return offset <= size && header <= size - offset &&
               (size - offset - header) / entry >= n;
}

static bool new_header_endian_ok(const uint8_t *h) {
        uint8_t flags = h[NEW_FLAGS_OFFSET];
        uint8_t current = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? ENDIAN_LITTLE : ENDIAN_BIG;
        /* 0 means an old ldconfig wrote no endianness: accepted, as glibc does. */
        return flags == 0 || (flags & ENDIAN_MASK) == current;
}

static int use_new_table(LdCache *c, size_t header_offset) {
        const uint8_t *h = c->file + header_offset;

        if (!new_header_endian_ok(h))
                return -EBADMSG;

        c->n_entries = read_u32(h + NEW_NLIBS_OFFSET);
        if (!table_fits(c->size, header_offset, NEW_HEADER_SIZE, NEW_ENTRY_SIZE, c->n_entries))
                return -EBADMSG;

        c->entries_offset = header_offset + NEW_HEADER_SIZE;
        c->entry_size = NEW_ENTRY_SIZE;
        c->strings_offset = header_offset;
        c->strings_size = c->size - header_offset;
        return 0;
}

static bool has_magic(const LdCache *c, size_t offset, const char *magic) {
        size_t l = strlen(magic);
        return offset <= c->size && c->size - offset > l && memcmp(c->file + offset, magic, l) == 0;
}

/* The old format may carry the new one right after its table; glibc prefers it. */
static int use_old_table(LdCache *c) {
        uint32_t n = read_u32(c->file + OLD_HEADER_SIZE - 4);

        if (!table_fits(c->size, 0, OLD_HEADER_SIZE, OLD_ENTRY_SIZE, n))
                return -EBADMSG;

        size_t end = OLD_HEADER_SIZE + (size_t) n * OLD_ENTRY_SIZE;
        size_t new_offset = (end + NEW_HEADER_ALIGN - 1) & ~(size_t) (NEW_HEADER_ALIGN - 1);
        if (new_offset <= c->size && c->size - new_offset >= NEW_HEADER_SIZE &&
            has_magic(c, new_offset, NEW_MAGIC))
                return use_new_table(c, new_offset);

        c->n_entries = n;
        c->entries_offset = OLD_HEADER_SIZE;
        c->entry_size = OLD_ENTRY_SIZE;
        c->strings_offset = end;
        c->strings_size = c->size - end;
        return 0;
}

/* Loads the glibc-hwcaps section named by the extension directory. A bad
 * directory makes glibc ignore the hwcaps data; a cache without one is fine. */
static int load_hwcaps_extension(LdCache *c, size_t header_offset) {
        uint32_t ext = read_u32(c->file + header_offset + NEW_EXTENSION_OFFSET);

        if (ext == 0)
                return 0;
        if (ext % 4 != 0 || ext > c->size || c->size - ext < EXTENSION_HEADER_SIZE)
                return -EBADMSG;
        if (read_u32(c->file + ext) != EXTENSION_MAGIC)
                return -EBADMSG;

        uint32_t count = read_u32(c->file + ext + 4);
        if ((c->size - ext - EXTENSION_HEADER_SIZE) / EXTENSION_SECTION_SIZE < count)
                return -EBADMSG;

        for (uint32_t i = 0; i < count; i++) {
                const uint8_t *s = c->file + ext + EXTENSION_HEADER_SIZE + (size_t) i * EXTENSION_SECTION_SIZE;
                uint32_t tag = read_u32(s), offset = read_u32(s + 8), size = read_u32(s + 12);

                if ((uint64_t) offset + size > c->size)
                        return -EBADMSG;
                if (tag != EXTENSION_TAG_GLIBC_HWCAPS)
                        continue;
                if (size == 0 || offset % 4 != 0 || size % 4 != 0)
                        continue; /* glibc drops such a section */

                uint32_t *h = malloc(size);
                if (!h)
                        return -ENOMEM;
                for (uint32_t k = 0; k < size / 4; k++)
                        h[k] = read_u32(c->file + offset + (size_t) k * 4);
                free(c->hwcaps);
                c->hwcaps = h;
                c->n_hwcaps = size / 4;
        }
        return 0;
}

int ld_cache_parse(const void *data, size_t size, LdCache **ret) {
        LdCache *c;
        int r;

        if (size == SIZE_MAX)
                return -EFBIG;

        c = calloc(1, sizeof(LdCache));
        if (!c)
                return -ENOMEM;
        c->file = malloc(size + 1);
        if (!c->file) {
                free(c);
                return -ENOMEM;
        }
        if (size > 0)
                memcpy(c->file, data, size);
        c->file[size] = 0;
        c->size = size;

        if (size > NEW_HEADER_SIZE && has_magic(c, 0, NEW_MAGIC))
                r = use_new_table(c, 0);
        else if (size > OLD_HEADER_SIZE && has_magic(c, 0, OLD_MAGIC))
                r = use_old_table(c);
        else
                r = -EBADMSG;

        if (r >= 0 && c->entry_size == NEW_ENTRY_SIZE) {
                r = load_hwcaps_extension(c, c->strings_offset);
                if (r == -EBADMSG) {
                        /* glibc then uses no hwcaps entries but keeps the cache. */
                        log_debug("ld.so.cache: bad extension directory, ignoring glibc-hwcaps data");
                        r = 0;
                }
        }
        if (r < 0) {
                ld_cache_free(c);
                return r;
        }

        *ret = c;
        return 0;
}

int ld_cache_load(const char *path, LdCache **ret) {
        _cleanup_free_ char *buf = NULL;
        size_t size;

        /* ldconfig never writes anything near 256 MiB: a bigger file is refused, not slurped. */
        int r = read_full_file(path, READ_FILE_REGULAR, 256U * 1024U * 1024U, &buf, &size);
        if (r < 0)
                return r;
        return ld_cache_parse(buf, size, ret);
}

LdCache *ld_cache_free(LdCache *c) {
        if (c) {
                free(c->file);
                free(c->hwcaps);
                free(c);
        }
        return NULL;
}

size_t ld_cache_size(const LdCache *c) {
        return c ? c->n_entries : 0;
}

static CacheEntry cache_entry(const LdCache *c, uint32_t i) {
        const uint8_t *p = c->file + c->entries_offset + (size_t) i * c->entry_size;
        CacheEntry e = {
                .flags = (int32_t) read_u32(p),
                .key = read_u32(p + 4),
                .value = read_u32(p + 8),
        };
        if (c->entry_size == NEW_ENTRY_SIZE)
                e.hwcap = read_u64(p + 16);
        return e;
}

static const char *cache_string(const LdCache *c, uint32_t offset) {
        if (offset >= c->strings_size)
                return NULL;
        return (const char *) c->file + c->strings_offset + offset;
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static uint64_t parse_digits(const char **p) {
        uint64_t v = 0;
        while (is_digit(**p))
                v = v * 10 + (uint64_t) (*(*p)++ - '0');
        return v;
}

/* ldconfig sorts the table with this order: runs of digits compare as
 * numbers, and a digit sorts after any other character. */
static int soname_compare(const char *a, const char *b) {
        while (*a) {
                if (is_digit(*a) && is_digit(*b)) {
                        uint64_t x = parse_digits(&a), y = parse_digits(&b);
                        if (x != y)
                                return x < y ? -1 : 1;
                } else if (is_digit(*a))
                        return 1;
                else if (is_digit(*b))
                        return -1;
                else if (*a != *b)
                        return *a - *b;
                else {
                        a++;
                        b++;
                }
        }
        return -*b;
}

static bool entry_name_is(const LdCache *c, uint32_t i, const char *soname) {
        const char *key = cache_string(c, cache_entry(c, i).key);
        return key && soname_compare(soname, key) == 0;
}

static bool flags_acceptable(const LdCacheQuery *q, int32_t flags) {
        if ((uint32_t) flags == q->flags)
                return true;
        return q->accept_flags_elf && (flags == 1 || flags == 3);
}

static bool is_hwcaps_entry(uint64_t hwcap) {
        return ((hwcap >> 32) & ~HWCAP_ISA_LEVEL_MASK) == (HWCAP_EXTENSION >> 32);
}

static bool isa_level_supported(const LdCacheQuery *q, uint64_t hwcap) {
        uint64_t level = (hwcap >> 32) & HWCAP_ISA_LEVEL_MASK;
        return level < 32 && (q->isa_levels & (UINT32_C(1) << level));
}

/* Preference of a glibc-hwcaps entry: 1 is best, 0 means the CPU cannot use it. */
static uint32_t hwcaps_priority(const LdCache *c, const LdCacheQuery *q, uint64_t hwcap) {
        uint32_t index = (uint32_t) hwcap;

        if (index >= c->n_hwcaps || c->hwcaps[index] >= c->size)
                return 0;

        const char *name = (const char *) c->file + c->hwcaps[index];
        uint32_t prio = 1;
        STRV_FOREACH(h, q->hwcaps) {
                if (streq(*h, name))
                        return prio;
                prio++;
        }
        return 0;
}

static bool legacy_hwcap_excluded(const LdCacheQuery *q, uint64_t hwcap) {
        uint64_t exclude = ~(q->hwcap | q->platform_mask | HWCAP_TLS_MASK);
        if (hwcap & exclude)
                return true;
        uint64_t platform = hwcap & q->platform_mask;
        return platform != 0 && platform != q->platform;
}

/* Among the entries [first, last] named soname, picks the one glibc picks. */
static const char *pick_entry(const LdCache *c, const LdCacheQuery *q, uint32_t first, uint32_t found, uint32_t last,
                              const char *soname) {
        const char *best = NULL;
        uint32_t best_priority = 0;

        for (uint32_t i = first; i <= last; i++) {
                if (i > found && !entry_name_is(c, i, soname))
                        break;

                CacheEntry e = cache_entry(c, i);
                const char *value = cache_string(c, e.value);
                if (!flags_acceptable(q, e.flags) || !value)
                        continue;

                bool named = false;
                if (c->entry_size == NEW_ENTRY_SIZE) {
                        named = is_hwcaps_entry(e.hwcap);
                        if (named && !isa_level_supported(q, e.hwcap))
                                continue;
                        /* hwcaps entries sort first: a plain one after a match ends the search */
                        if (!named && best)
                                break;
                        if (!named && legacy_hwcap_excluded(q, e.hwcap))
                                continue;
                        if (named) {
                                uint32_t p = hwcaps_priority(c, q, e.hwcap);
                                if (p == 0 || (best && p >= best_priority))
                                        continue;
                                best_priority = p;
                        }
                }

                best = value;
                if (!named && (uint32_t) e.flags == q->flags)
                        break;
        }
        return best;
}

const char *ld_cache_lookup(const LdCache *c, const char *soname, const LdCacheQuery *q) {
        int64_t left = 0, right = (int64_t) c->n_entries - 1;

        /* Same binary search as glibc, so an oddly sorted cache gives the same answer. */
        while (left <= right) {
                uint32_t middle = (uint32_t) ((left + right) / 2);
                const char *key = cache_string(c, cache_entry(c, middle).key);
                if (!key)
                        return NULL;

                int cmp = soname_compare(soname, key);
                if (cmp == 0) {
                        uint32_t first = middle;
                        while (first > 0 && entry_name_is(c, first - 1, soname))
                                first--;
                        return pick_entry(c, q, first, middle, (uint32_t) right, soname);
                }
                /* ldconfig sorts the table in descending order. */
                if (cmp < 0)
                        left = (int64_t) middle + 1;
                else
                        right = (int64_t) middle - 1;
        }
        return NULL;
}
