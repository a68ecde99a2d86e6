/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host facts of glibc's search: what ld.so derives from this CPU and its own
 * ABI ($PLATFORM, $LIB, the glibc-hwcaps and legacy hwcaps subdirs, the default
 * dirs). Split from ld-search.c, which walks with them. */
#include "ld-host.h"

#include <elf.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "log.h"
#include "macro.h"
#include "strv.h"

/* ---- What glibc derives from the CPU (sysdeps/x86/cpu-features.c, get-isa-level.h) ---- */

typedef struct CpuFeatures {
        bool intel;
        bool cmov, cx8, fpu, fxsr, mmx, sse, sse2;
        bool sse3, ssse3, sse4_1, sse4_2, cx16, lahf, popcnt;
        bool avx, avx2, f16c, fma, lzcnt, movbe, bmi1, bmi2;
        bool avx512f, avx512bw, avx512cd, avx512dq, avx512vl, avx512er, avx512pf;
} CpuFeatures;

#define BIT(reg, n) (((reg) >> (n)) & 1)

static void cpu_features_detect(CpuFeatures *f) {
        *f = (CpuFeatures) {};
#if defined(__x86_64__) || defined(__i386__)
        unsigned a, b, c, d, max;
        char vendor[13] = {};

        if (!__get_cpuid(0, &max, &b, &c, &d))
                return;
        memcpy(vendor, &b, 4);
        memcpy(vendor + 4, &d, 4);
        memcpy(vendor + 8, &c, 4);
        f->intel = streq(vendor, "GenuineIntel");

        __cpuid(1, a, b, c, d);
        f->fpu = BIT(d, 0), f->cx8 = BIT(d, 8), f->cmov = BIT(d, 15), f->mmx = BIT(d, 23);
        f->fxsr = BIT(d, 24), f->sse = BIT(d, 25), f->sse2 = BIT(d, 26);
        f->sse3 = BIT(c, 0), f->ssse3 = BIT(c, 9), f->cx16 = BIT(c, 13);
        f->sse4_1 = BIT(c, 19), f->sse4_2 = BIT(c, 20), f->movbe = BIT(c, 22), f->popcnt = BIT(c, 23);
        bool osxsave = BIT(c, 27), avx = BIT(c, 28), fma = BIT(c, 12), f16c = BIT(c, 29);

        /* AVX and AVX-512 are usable only when the kernel saves their state (XCR0). */
        uint64_t xcr0 = 0;
        if (osxsave) {
                uint32_t lo, hi;
                __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
                xcr0 = ((uint64_t) hi << 32) | lo;
        }
        bool avx_state = (xcr0 & 0x6) == 0x6;
        bool avx512_state = avx_state && (xcr0 & 0xe0) == 0xe0;

        f->avx = avx && avx_state;
        f->fma = fma && f->avx;
        f->f16c = f16c && f->avx;

        if (max >= 7) {
                __cpuid_count(7, 0, a, b, c, d);
                f->bmi1 = BIT(b, 3), f->bmi2 = BIT(b, 8);
                f->avx2 = BIT(b, 5) && f->avx;
                f->avx512f = BIT(b, 16) && avx512_state;
                f->avx512dq = BIT(b, 17) && f->avx512f;
                f->avx512pf = BIT(b, 26) && f->avx512f;
                f->avx512er = BIT(b, 27) && f->avx512f;
                f->avx512cd = BIT(b, 28) && f->avx512f;
                f->avx512bw = BIT(b, 30) && f->avx512f;
                f->avx512vl = BIT(b, 31) && f->avx512f;
        }

        if (__get_cpuid(0x80000001, &a, &b, &c, &d))
                f->lahf = BIT(c, 0), f->lzcnt = BIT(c, 5);
#endif
}

/* Bit n set: x86 ISA level n supported (0 baseline, 1 x86-64-v2, 2 v3, 3 v4). */
static uint32_t cpu_isa_levels(const CpuFeatures *f) {
        uint32_t levels = 0;

        if (!(f->cmov && f->cx8 && f->fpu && f->fxsr && f->mmx && f->sse && f->sse2))
                return 0;
        levels |= 1;
        if (!(f->cx16 && f->lahf && f->popcnt && f->sse3 && f->ssse3 && f->sse4_1 && f->sse4_2))
                return levels;
        levels |= 2;
        if (!(f->avx && f->avx2 && f->f16c && f->fma && f->lzcnt && f->movbe))
                return levels;
        levels |= 4;
        if (f->avx512f && f->avx512bw && f->avx512cd && f->avx512dq && f->avx512vl)
                levels |= 8;
        return levels;
}

/* Legacy hwcap bits and their subdir names (sysdeps/x86/dl-hwcap.h). */
#define HWCAP_X86_SSE2 (UINT64_C(1) << 0)
#define HWCAP_X86_64 (UINT64_C(1) << 1)
#define HWCAP_X86_AVX512_1 (UINT64_C(1) << 2)
static const char *const hwcap_names[] = { "sse2", "x86_64", "avx512_1" };

#define FIRST_PLATFORM_BIT 48
static const char *const x86_platforms[] = { "i586", "i686", "haswell", "xeon_phi" };

static const char *x86_64_platform(const CpuFeatures *f, uint64_t *hwcap) {
        const char *platform = NULL;

        *hwcap = HWCAP_X86_64;
        if (!f->intel)
                return "x86_64"; /* what the kernel's AT_PLATFORM says */

        if (f->avx512cd) {
                if (f->avx512er) {
                        if (f->avx512pf)
                                platform = "xeon_phi";
                } else if (f->avx512bw && f->avx512dq && f->avx512vl)
                        *hwcap |= HWCAP_X86_AVX512_1;
        }
        if (!platform && f->avx2 && f->fma && f->bmi1 && f->bmi2 && f->lzcnt && f->movbe && f->popcnt)
                platform = "haswell";
        return platform ?: "x86_64";
}

bool glibc_searches_legacy_hwcaps(const char *version) {
        unsigned major = 0, minor = 0;

        if (!version || sscanf(version, "%u.%u", &major, &minor) != 2)
                return false; /* an unknown (so newer) glibc: no legacy subdirs */
        return major < 2 || (major == 2 && minor < 37);
}

/* The legacy subdirs: every subset of {hwcap names, platform, "tls"}, in
 * glibc's power-set order (most specific first), ending with "". glibc 2.37
 * removed them ("elf: Remove legacy hwcaps support"): from then on only ""
 * is searched. The glibc the generator runs with is the host's, whose ld.so
 * loads the services, so its version decides, never the build machine's. */
static int legacy_subdirs(uint64_t hwcap, const char *platform, char ***subdirs) {
        const char *parts[ELEMENTSOF(hwcap_names) + 2];
        size_t n = 0;

        if (!glibc_searches_legacy_hwcaps(gnu_get_libc_version()))
                return strv_extend(subdirs, "");

        for (size_t i = 0; i < ELEMENTSOF(hwcap_names); i++)
                if (hwcap & (UINT64_C(1) << i))
                        parts[n++] = hwcap_names[i];
        if (platform)
                parts[n++] = platform;
        parts[n++] = "tls";

        for (size_t mask = (1u << n); mask-- > 0;) {
                char buf[256] = "";
                for (size_t i = n; i-- > 0;)
                        if (mask & (1u << i)) {
                                strcat(buf, parts[i]);
                                strcat(buf, "/");
                        }
                if (strv_extend(subdirs, buf) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int platform_bit(const char *platform, size_t first, size_t count) {
        for (size_t i = first; i < first + count; i++)
                if (streq(platform, x86_platforms[i]))
                        return FIRST_PLATFORM_BIT + (int) i;
        return -1;
}

static int host_dirs(LoaderHost *h, char **default_dirs, const char *const *builtin) {
        if (!default_dirs) {
                for (const char *const *d = builtin; *d; d++)
                        if (strv_extend(&h->system_dirs, *d) < 0)
                                return -ENOMEM;
                return 0;
        }
        STRV_FOREACH(d, default_dirs) {
                char *s;
                if (asprintf(&s, "%s%s", *d, endswith(*d, "/") ? "" : "/") < 0)
                        return -ENOMEM;
                if (strv_consume(&h->system_dirs, s) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int host_init_x86_64(LoaderHost *h, const CpuFeatures *f, char **default_dirs) {
        static const char *const dirs[] = {
                "/lib/x86_64-linux-gnu/", "/usr/lib/x86_64-linux-gnu/", "/lib/", "/usr/lib/", NULL
        };
        static const char *const levels[] = { "x86-64-v4", "x86-64-v3", "x86-64-v2" };
        uint32_t isa = cpu_isa_levels(f);

        h->lib = "lib/x86_64-linux-gnu";
        h->platform = x86_64_platform(f, &h->hwcap);

        for (size_t i = 0; i < ELEMENTSOF(levels); i++)
                if (isa & (UINT32_C(1) << (ELEMENTSOF(levels) - i)))
                        if (strv_extend(&h->hwcaps_subdirs, levels[i]) < 0)
                                return -ENOMEM;
        STRV_FOREACH(s, h->hwcaps_subdirs) {
                char *d;
                if (asprintf(&d, "glibc-hwcaps/%s/", *s) < 0 || strv_consume(&h->subdirs, d) < 0)
                        return -ENOMEM;
        }

        int bit = platform_bit(h->platform, 2, 2);
        h->cache_query = (LdCacheQuery) {
                .flags = 0x0303,
                .hwcaps = h->hwcaps_subdirs,
                .hwcap = h->hwcap,
                .platform_mask = UINT64_C(0xf) << FIRST_PLATFORM_BIT,
                .platform = bit < 0 ? UINT64_MAX : UINT64_C(1) << bit,
                .isa_levels = isa,
        };
        if (legacy_subdirs(h->hwcap, h->platform, &h->subdirs) < 0)
                return -ENOMEM;
        return host_dirs(h, default_dirs, dirs);
}

/* Debian has two i386 loaders: libc6-i386 (biarch, /lib32) and libc6:i386
 * (multiarch); the interpreter's real location tells which one runs. */
static bool interp_is_biarch(const char *interp) {
        _cleanup_free_ char *real = interp ? realpath(interp, NULL) : NULL;
        if (real)
                return strstr(real, "/lib32/") != NULL;
        return access("/lib/i386-linux-gnu", F_OK) < 0 && access("/lib32", F_OK) >= 0;
}

static int host_init_i386(LoaderHost *h, const CpuFeatures *f, const char *interp, char **default_dirs) {
        static const char *const biarch_dirs[] = { "/lib32/", "/usr/lib32/", "/lib/", "/usr/lib/", NULL };
        static const char *const multiarch_dirs[] = {
                "/lib/i386-linux-gnu/", "/usr/lib/i386-linux-gnu/", "/lib/", "/usr/lib/", NULL
        };
        bool biarch = interp_is_biarch(interp);

        h->lib = biarch ? "lib32" : "lib/i386-linux-gnu";
        h->platform = f->cmov ? "i686" : "i586";
        h->hwcap = f->sse2 ? HWCAP_X86_SSE2 : 0;

        int bit = platform_bit(h->platform, 0, 2);
        h->cache_query = (LdCacheQuery) {
                .flags = 3,
                .accept_flags_elf = true,
                .hwcap = h->hwcap,
                .platform_mask = UINT64_C(0x3) << FIRST_PLATFORM_BIT,
                .platform = bit < 0 ? UINT64_MAX : UINT64_C(1) << bit,
                .isa_levels = cpu_isa_levels(f),
        };
        if (legacy_subdirs(h->hwcap, h->platform, &h->subdirs) < 0)
                return -ENOMEM;
        return host_dirs(h, default_dirs, biarch ? biarch_dirs : multiarch_dirs);
}

int loader_host_init(LoaderHost *ret, uint8_t elf_class, uint16_t machine, const char *interp, char **default_dirs) {
        LoaderHost h = {};
        CpuFeatures f;
        int r;

#if defined(__x86_64__) || defined(__i386__)
        cpu_features_detect(&f);
        if (elf_class == ELFCLASS64 && machine == EM_X86_64)
                r = host_init_x86_64(&h, &f, default_dirs);
        else if (elf_class == ELFCLASS32 && machine == EM_386)
                r = host_init_i386(&h, &f, interp, default_dirs);
        else
                r = -ENOEXEC;
#else
        r = -ENOEXEC;
#endif
        if (r < 0) {
                loader_host_done(&h);
                return r;
        }
        h.elf_class = elf_class;
        h.machine = machine;
        h.cache_query.hwcaps = h.hwcaps_subdirs;
        *ret = h;
        return 0;
}

void loader_host_done(LoaderHost *h) {
        strv_free(h->hwcaps_subdirs);
        strv_free(h->subdirs);
        strv_free(h->system_dirs);
        *h = (LoaderHost) {};
}
