/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "harden.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec-command.h"
#include "log.h"
#include "memstream.h"
#include "path-set.h"
#include "strv.h"

/* ---- "unset" as systemd reads the unit --------------------------------------
 * The rule of unit_text_get_effective(): an empty assignment counts as unset,
 * an assignment systemd cannot parse is ignored (the one before it counts);
 * what systemd can parse depends on each setting's own values, below. */

typedef enum SettingKind {
        KIND_BOOL,  /* yes/no */
        KIND_ENUM,  /* a boolean or one of the listed words */
        KIND_LIST,  /* any non-empty value */
        KIND_CAPS,  /* CapabilityBoundingSet=: see is_unset() */
} SettingKind;

typedef struct SettingRule {
        const char *key;
        SettingKind kind;
        const char *words[5]; /* KIND_ENUM: the non-boolean values systemd accepts */
} SettingRule;

static const SettingRule setting_rules[] = {
        { "NoNewPrivileges", KIND_BOOL, {} },
        { "ProtectClock", KIND_BOOL, {} },
        { "ProtectHostname", KIND_BOOL, {} },
        { "ProtectKernelLogs", KIND_BOOL, {} },
        { "RestrictSUIDSGID", KIND_BOOL, {} },
        { "LockPersonality", KIND_BOOL, {} },
        { "RestrictRealtime", KIND_BOOL, {} },
        { "MemoryDenyWriteExecute", KIND_BOOL, {} },
        { "ProtectProc", KIND_ENUM, { "noaccess", "invisible", "ptraceable", "default" } },
        { "ProcSubset", KIND_ENUM, { "all", "pid" } },
        { "RestrictNamespaces", KIND_LIST, {} },
        { "SystemCallArchitectures", KIND_LIST, {} },
        { "SystemCallFilter", KIND_LIST, {} },
        { "SystemCallErrorNumber", KIND_LIST, {} },
        { "RestrictAddressFamilies", KIND_LIST, {} },
        { "CapabilityBoundingSet", KIND_CAPS, {} },
};

static const SettingRule *rule_for(const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(setting_rules); i++)
                if (streq(setting_rules[i].key, key))
                        return &setting_rules[i];
        return NULL;
}

static bool value_is_valid(const SettingRule *rule, const char *v) {
        if (!rule || rule->kind == KIND_LIST || rule->kind == KIND_CAPS)
                return true;
        if (parse_boolean(v) >= 0)
                return rule->kind == KIND_BOOL || !streq(rule->key, "ProcSubset");
        for (size_t i = 0; rule->kind == KIND_ENUM && i < ELEMENTSOF(rule->words) && rule->words[i]; i++)
                if (streq(v, rule->words[i]))
                        return true;
        return false;
}

bool harden_is_unset(const UnitText *t, const char *key) {
        const SettingRule *rule = rule_for(key);
        for (size_t i = t->n; i-- > 0;) {
                const UnitSetting *s = &t->items[i];
                if (!streq(s->section, "Service") || !streq(s->key, key))
                        continue;
                /* CapabilityBoundingSet= is the one where an empty assignment
                 * means something (no capabilities), and later assignments are
                 * OR-ed: any assignment is the unit's choice, or ours would widen it. */
                if (rule && rule->kind == KIND_CAPS)
                        return false;
                if (isempty(s->value))
                        return true;
                if (value_is_valid(rule, s->value))
                        return false;
                /* systemd logs and ignores it: the assignment before decides. */
        }
        return true;
}

/* ---- what the closure holds ------------------------------------------------ */

/* Programs and libraries that generate machine code at run time. */
static const char *const jit_names[] = {
        "libjvm.so",     "libLLVM*",     "llvmjit.so",  "libluajit*", "luajit*",    "libmozjs*",
        "libnode.so*",   "node",         "nodejs",      "libv8*",     "libgccjit*", "libmono*",
        "libcoreclr.so", "libclrjit.so", "libpypy*",    "pypy*",      "opcache.so", "libjavascriptcoregtk*",
        "libwasmtime*",  "qemu-*",       "libtcc.so*",  "libjit.so*", "java",       "mono",
};
/* An ELF that calls PCRE's JIT (nginx, haproxy): refuses W+X memory at run time
 * (haproxy fails its config on a regex). The library itself is no user. */
static const char *const jit_symbols[] = { "pcre2_jit_compile", "pcre_study" };
/* An ELF that lists the interfaces through glibc, which asks the kernel over
 * netlink: unbound cannot open its ports without it ("getifaddrs: Address
 * family not supported by protocol"). libc, which defines them, is no user. */
static const char *const netlink_symbols[] = { "getifaddrs", "if_nameindex" };
/* Libraries that configure the network over netlink (they need CAP_NET_ADMIN too). */
static const char *const netlink_names[] = { "libmnl.so*", "libnl-*.so*", "libnl.so*" };

static bool name_matches(const char *path, const char *const *patterns, size_t n) {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        for (size_t i = 0; i < n; i++)
                if (fnmatch(patterns[i], base, 0) == 0)
                        return true;
        return false;
}

static bool mentions_any(const void *p, size_t size, const char *const *symbols, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (memmem(p, size, symbols[i], strlen(symbols[i])))
                        return true;
        return false;
}

/* What an ELF file imports, by the names in its string table (a byte search:
 * a false match only leaves a setting out). */
static void note_elf_symbols(HardenFacts *facts, const char *path, const struct stat *st) {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        if (st->st_size < 4 || st->st_size > (256 << 20) || (facts->jit && facts->netlink))
                return;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return;
        void *p = mmap(NULL, st->st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED)
                return;
        if (memcmp(p, "\177ELF", 4) == 0) {
                if (!startswith(base, "libpcre") && mentions_any(p, st->st_size, jit_symbols, ELEMENTSOF(jit_symbols)))
                        facts->jit = true;
                if (!startswith(base, "libc.so") && !startswith(base, "libc-") &&
                    mentions_any(p, st->st_size, netlink_symbols, ELEMENTSOF(netlink_symbols)))
                        facts->netlink = true;
        }
        munmap(p, st->st_size);
}

static void note_file(HardenFacts *facts, const char *path, const struct stat *st) {
        if (!S_ISREG(st->st_mode))
                return;
        if (st->st_mode & (S_ISUID | S_ISGID))
                facts->setuid = true;
        if (name_matches(path, jit_names, ELEMENTSOF(jit_names)))
                facts->jit = true;
        if (name_matches(path, netlink_names, ELEMENTSOF(netlink_names)))
                facts->netlink = facts->net_admin = true;
        note_elf_symbols(facts, path, st);
}

/* A Packages= directory may hold a whole data tree: past this many files the
 * walk stops and assumes each fact, which only leaves settings out. */
#define HARDEN_WALK_MAX 100000

static HardenFacts *walk_facts; /* nftw() takes no user data; the generator is single-threaded */
static unsigned walk_count;

static int walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        if (++walk_count > HARDEN_WALK_MAX)
                return 1;
        if (type == FTW_F)
                note_file(walk_facts, path, st);
        return 0;
}

int harden_facts(UnitConfinement *uc, HardenFacts *ret) {
        *ret = (HardenFacts) {};
        const PathEntry **sorted = path_set_sorted(closure_binds(uc->closure));
        if (!sorted)
                return -ENOMEM;
        walk_count = 0;
        for (const PathEntry **e = sorted; *e; e++) {
                struct stat st;
                if (stat((*e)->source, &st) < 0)
                        continue; /* the closure checked it; a race leaves it out of the root too */
                note_file(ret, (*e)->dest, &st);
                if (S_ISREG(st.st_mode) && !streq((*e)->dest, (*e)->source))
                        note_file(ret, (*e)->source, &st);
                if (!S_ISDIR(st.st_mode))
                        continue;
                walk_facts = ret;
                int r = nftw((*e)->source, walk_one, 16, FTW_PHYS | FTW_MOUNT);
                walk_facts = NULL;
                if (r > 0) {
                        log_debug("%s: over %u files in its closure; Harden= assumes a setuid file, a JIT "
                                  "runtime and a netlink user", uc->info ? uc->info->name : "?", HARDEN_WALK_MAX);
                        *ret = (HardenFacts) { .setuid = true, .jit = true, .netlink = true, .net_admin = true };
                        return 0;
                }
        }
        return 0;
}

/* ---- decisions ------------------------------------------------------------ */

/* The service's processes run as root (or may: a specifier we do not resolve). */
static bool runs_as_root(const UnitText *t) {
        const char *dyn = unit_text_get(t, "Service", "DynamicUser");
        const char *user = unit_text_get(t, "Service", "User");
        if (dyn && parse_boolean(dyn) > 0)
                return false;
        return isempty(user) || streq(user, "root") || streq(user, "0") || strchr(user, '%');
}

/* A "!" command runs as root without User= applied, but inside the bounding set. */
static bool has_bang_command(const UnitText *t) {
        for (size_t k = 0; k < ELEMENTSOF(exec_command_keys); k++) {
                _cleanup_strv_free_ char **values = NULL;
                if (unit_text_get_list(t, "Service", exec_command_keys[k], &values) < 0)
                        return true; /* cannot tell: assume it does */
                STRV_FOREACH(v, values) {
                        const char *p = *v + strspn(*v, " \t");
                        if (memchr(p, '!', strspn(p, "-@:+!")))
                                return true;
                }
        }
        return false;
}

/* Capabilities no confined daemon of the suite needs even as root: the kernel's
 * own administration (modules, raw I/O, clock, boot, accounting, MAC, audit
 * control, BPF, tracing other processes, device nodes, immutable files). */
static const char *const root_denied_caps =
        "CAP_SYS_ADMIN CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_TIME CAP_SYS_BOOT CAP_SYS_PACCT "
        "CAP_SYS_PTRACE CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LINUX_IMMUTABLE CAP_MAC_ADMIN CAP_MAC_OVERRIDE "
        "CAP_NET_RAW CAP_WAKE_ALARM CAP_BLOCK_SUSPEND CAP_LEASE CAP_AUDIT_CONTROL CAP_AUDIT_READ "
        "CAP_SYSLOG CAP_BPF CAP_PERFMON CAP_CHECKPOINT_RESTORE CAP_IPC_OWNER CAP_SETFCAP";

typedef struct Harden {
        const UnitText *t;
        ConfinementMode mode;
        const HardenFacts *facts;
        bool root;        /* some command runs as root inside the bounding set */
        FILE *f;
} Harden;

static void set_default(Harden *h, const char *key, const char *value) {
        if (harden_is_unset(h->t, key))
                fprintf(h->f, "%s=%s\n", key, value);
}

/* Non-root: exactly the ambient capabilities it is granted (none: an empty
 * set). Root, a "!" command, or a setuid program to run: all but the kernel's. */
static int write_capabilities(Harden *h) {
        _cleanup_strv_free_ char **ambient = NULL;
        _cleanup_free_ char *joined = NULL;
        if (!harden_is_unset(h->t, "CapabilityBoundingSet"))
                return 0;
        if (unit_text_get_list(h->t, "Service", "AmbientCapabilities", &ambient) < 0)
                return -ENOMEM;
        bool inverted = false;
        STRV_FOREACH(a, ambient)
                inverted = inverted || strchr(*a, '~');
        if (h->root || h->facts->setuid || inverted) {
                fprintf(h->f, "CapabilityBoundingSet=~%s%s\n", root_denied_caps,
                        h->facts->net_admin ? "" : " CAP_NET_ADMIN");
                return 0;
        }
        joined = strv_join(ambient, " ");
        if (!joined)
                return -ENOMEM;
        fprintf(h->f, "CapabilityBoundingSet=%s\n", joined);
        return 0;
}

static int write_hardening(Harden *h) {
        fputs("# Harden=yes: systemd's other sandbox settings, where the unit leaves them unset\n", h->f);
        if (!h->facts->setuid)
                set_default(h, "NoNewPrivileges", "yes");
        set_default(h, "ProtectClock", "yes");
        /* It makes /proc/sys/kernel/hostname read-only: without /proc (chroot-only)
         * the start fails with 226/NAMESPACE on 252. */
        if (h->mode == CONFINEMENT_FULL_APIVFS)
                set_default(h, "ProtectHostname", "yes");
        set_default(h, "ProtectKernelLogs", "yes");
        set_default(h, "RestrictSUIDSGID", "yes");
        set_default(h, "LockPersonality", "yes");
        set_default(h, "RestrictRealtime", "yes");
        set_default(h, "RestrictNamespaces", "yes");
        set_default(h, "SystemCallArchitectures", "native");
        if (!h->facts->jit)
                set_default(h, "MemoryDenyWriteExecute", "yes");
        if (h->mode == CONFINEMENT_FULL_APIVFS) {
                set_default(h, "ProtectProc", "invisible");
                if (!h->facts->jit)
                        set_default(h, "ProcSubset", "pid");
        }
        set_default(h, "RestrictAddressFamilies",
                    h->facts->netlink ? "AF_UNIX AF_INET AF_INET6 AF_NETLINK" : "AF_UNIX AF_INET AF_INET6");
        if (harden_is_unset(h->t, "SystemCallFilter")) {
                /* A root daemon drops privileges into a chroot (sshd, haproxy, opensmtpd). */
                fprintf(h->f, "SystemCallFilter=@system-service%s\n", h->root ? " chroot" : "");
                set_default(h, "SystemCallErrorNumber", "EPERM");
        }
        return write_capabilities(h);
}

static int render_one(FILE *f, void *userdata) {
        Harden *h = userdata;
        h->f = f;
        return write_hardening(h);
}

char *harden_render(const UnitText *t, ConfinementMode mode, const HardenFacts *facts) {
        Harden h = { .t = t, .mode = mode, .facts = facts, .root = runs_as_root(t) || has_bang_command(t) };
        char *out = NULL;
        return memstream_collect(render_one, &h, &out) < 0 ? NULL : out;
}

int harden_write(FILE *f, UnitConfinement *uc) {
        HardenFacts facts;
        if (!uc->config.harden)
                return 0;
        int r = harden_facts(uc, &facts);
        if (r < 0)
                return r;
        log_debug("%s: Harden=yes; the closure holds %s setuid file, %s JIT runtime, %s netlink user, %s netlink library",
                  uc->info->name, facts.setuid ? "a" : "no", facts.jit ? "a" : "no", facts.netlink ? "a" : "no",
                  facts.net_admin ? "a" : "no");
        _cleanup_free_ char *text = harden_render(uc->text, uc->config.mode, &facts);
        if (!text)
                return -ENOMEM;
        fputs(text, f);
        return 0;
}
