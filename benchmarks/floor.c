/* The floor a /proc scanner is measured against: for every process, open,
 * read and close /proc/PID/stat (or each FILE named), with nothing parsed.
 * Prints the wall time of each pass in milliseconds, one per line.
 *
 * Usage: floor PASSES [FILE...]   (FILE: stat, cmdline, status ...)
 * Built by benchmarks/scan.py with `cc -O2`. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    int passes = argc > 1 ? atoi(argv[1]) : 1;
    char *only_stat[] = {"stat"};
    char **files = argc > 2 ? argv + 2 : only_stat;
    int nfiles = argc > 2 ? argc - 2 : 1;
    char path[300], buf[4096];
    for (int pass = 0; pass < passes; pass++) {
        double start = now_ms();
        long seen = 0;
        DIR *proc = opendir("/proc");
        if (!proc) {
            perror("/proc");
            return 1;
        }
        struct dirent *entry;
        while ((entry = readdir(proc)) != NULL) {
            if (!isdigit((unsigned char)entry->d_name[0]))
                continue;
            int read_all = 1;
            for (int f = 0; f < nfiles; f++) {
                snprintf(path, sizeof path, "/proc/%s/%s", entry->d_name, files[f]);
                int fd = open(path, O_RDONLY);
                if (fd < 0) {
                    read_all = 0;
                    continue;
                }
                /* Whole files, as a reader of cmdline or status needs them. */
                ssize_t got;
                while ((got = read(fd, buf, sizeof buf)) == (ssize_t)sizeof buf)
                    ;
                if (got < 0)
                    read_all = 0;
                close(fd);
            }
            seen += read_all;
        }
        closedir(proc);
        printf("%.3f %ld\n", now_ms() - start, seen);
    }
    return 0;
}
