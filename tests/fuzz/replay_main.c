/*
 * replay_main.c: a main() for the fuzz drivers when libFuzzer is not used
 * (dav1d's tests/libfuzzer/main.c does the same). Each argument is a file or
 * a directory of files; every file is passed once to LLVMFuzzerTestOneInput.
 * A crash or a failed check aborts; finding no input at all is an error, so
 * a test over a missing corpus cannot pass silently.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;

    if (!f) {
        perror(path);
        return -1;
    }
    for (;;) {
        if (cap - len < 4096) {
            cap = cap * 2 + 4096;
            uint8_t *p = realloc(buf, cap);
            if (!p) {
                fclose(f);
                free(buf);
                return -1;
            }
            buf = p;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    /* An exact-size copy, so ASan sees reads past the input's end. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int
replay(const char *path, int *count)
{
    struct stat st;

    if (stat(path, &st) < 0) {
        perror(path);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        struct dirent **names;
        int n = scandir(path, &names, NULL, alphasort);
        int rc = 0;

        if (n < 0) {
            perror(path);
            return -1;
        }
        for (int i = 0; i < n; i++) {
            char sub[4096];
            if (names[i]->d_name[0] != '.' && rc == 0) {
                snprintf(sub, sizeof sub, "%s/%s", path, names[i]->d_name);
                rc = replay(sub, count);
            }
            free(names[i]);
        }
        free(names);
        return rc;
    }
    if (replay_file(path) < 0)
        return -1;
    (*count)++;
    return 0;
}

int
main(int argc, char **argv)
{
    int count = 0;

    for (int i = 1; i < argc; i++)
        if (replay(argv[i], &count) < 0)
            return 1;
    if (count == 0) {
        fprintf(stderr, "%s: no inputs replayed\n", argv[0]);
        return 1;
    }
    fprintf(stderr, "%s: %d inputs replayed\n", argv[0], count);
    return 0;
}
