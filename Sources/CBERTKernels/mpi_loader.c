// MPI loaded at run time, as the BLAS is (blas_loader.c): a build needs no MPI headers or library, a machine
// without OpenMPI still trains on one process, and asking for MPI there gives the package to install.
//
// Only OpenMPI's ABI is supported (libmpi.so.40, Open MPI 3.x-5.x). Its handles are not integers: MPI_COMM_WORLD,
// MPI_FLOAT, MPI_SUM ... are the addresses of exported globals (mpi.h: `#define MPI_COMM_WORLD
// OMPI_PREDEFINED_GLOBAL(MPI_Comm, ompi_mpi_comm_world)`, i.e. `(MPI_Comm)&ompi_mpi_comm_world`), so dlsym of the
// global's name gives the handle itself. MPI_Request is a pointer (`struct ompi_request_t *`), MPI_IN_PLACE is
// `(void *)1` and MPI_STATUS_IGNORE is a null pointer; every MPI function returns MPI_SUCCESS (0) on success.
#include "CBERTKernels.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(_WIN32)
#include <dlfcn.h>
#endif

typedef int (*mpi_init_thread_fn)(int *, char ***, int, int *);
typedef int (*mpi_comm_int_fn)(void *, int *);
typedef int (*mpi_allreduce_fn)(const void *, void *, int, void *, void *, void *);
typedef int (*mpi_iallreduce_fn)(const void *, void *, int, void *, void *, void *, void **);
typedef int (*mpi_bcast_fn)(void *, int, void *, int, void *);
typedef int (*mpi_barrier_fn)(void *);
typedef int (*mpi_wait_fn)(void **, void *);
typedef int (*mpi_test_fn)(void **, int *, void *);
typedef int (*mpi_abort_fn)(void *, int);
typedef int (*mpi_void_fn)(void);
typedef int (*mpi_flag_fn)(int *);
typedef int (*mpi_name_fn)(char *, int *);
typedef int (*mpi_error_string_fn)(int, char *, int *);

static struct {
    mpi_init_thread_fn init_thread;
    mpi_comm_int_fn comm_rank, comm_size;
    mpi_allreduce_fn allreduce;
    mpi_iallreduce_fn iallreduce;
    mpi_bcast_fn bcast;
    mpi_barrier_fn barrier;
    mpi_wait_fn wait;
    mpi_test_fn test;
    mpi_abort_fn abort;
    mpi_void_fn finalize;
    mpi_flag_fn initialized, finalized;
    mpi_name_fn processor_name;
    mpi_error_string_fn error_string;
    void *comm_world, *type_float, *type_double, *op_sum;
} mpi;

static pthread_once_t mpi_once = PTHREAD_ONCE_INIT;
static int mpi_loaded = 0;
static char mpi_failure[512] = "";
static char mpi_library[256] = "";

#if !defined(_WIN32)
static int load_from(const char *path) {
    // RTLD_GLOBAL: Open MPI 4 opens its own components (mca_*.so) with dlopen, and they resolve libmpi's and
    // libopen-pal's symbols from the global namespace.
    void *h = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    if (!h) {
        snprintf(mpi_failure, sizeof mpi_failure, "%s", dlerror());
        return 0;
    }
#define BIND(field, name)                                                                                   \
    do {                                                                                                    \
        *(void **)&mpi.field = dlsym(h, name);                                                              \
        if (!mpi.field) {                                                                                   \
            snprintf(mpi_failure, sizeof mpi_failure, "%s has no symbol %s (not Open MPI?)", path, name);  \
            return 0;                                                                                       \
        }                                                                                                   \
    } while (0)
    BIND(init_thread, "MPI_Init_thread");
    BIND(comm_rank, "MPI_Comm_rank");
    BIND(comm_size, "MPI_Comm_size");
    BIND(allreduce, "MPI_Allreduce");
    BIND(iallreduce, "MPI_Iallreduce");
    BIND(bcast, "MPI_Bcast");
    BIND(barrier, "MPI_Barrier");
    BIND(wait, "MPI_Wait");
    BIND(test, "MPI_Test");
    BIND(abort, "MPI_Abort");
    BIND(finalize, "MPI_Finalize");
    BIND(initialized, "MPI_Initialized");
    BIND(finalized, "MPI_Finalized");
    BIND(processor_name, "MPI_Get_processor_name");
    BIND(error_string, "MPI_Error_string");
    BIND(comm_world, "ompi_mpi_comm_world");
    BIND(type_float, "ompi_mpi_float");
    BIND(type_double, "ompi_mpi_double");
    BIND(op_sum, "ompi_mpi_op_sum");
#undef BIND
    snprintf(mpi_library, sizeof mpi_library, "%s", path);
    return 1;
}
#endif

static void mpi_load_once(void) {
#if !defined(_WIN32)
    const char *choice = getenv("BERT_MPI_LIBRARY");
    if (choice && *choice) { mpi_loaded = load_from(choice); return; }
    static const char *names[] = {"libmpi.so.40", "libmpi.40.dylib", "libmpi.so", NULL};
    for (int i = 0; names[i]; i++) if ((mpi_loaded = load_from(names[i]))) return;
#else
    snprintf(mpi_failure, sizeof mpi_failure, "MPI is not supported on this platform");
#endif
}

int bert_mpi_load(void) {
    pthread_once(&mpi_once, mpi_load_once);
    return mpi_loaded;
}

const char *bert_mpi_load_failure(void) { return mpi_failure; }
const char *bert_mpi_library(void) { return mpi_library; }

int bert_mpi_init(int *provided) {
    if (!bert_mpi_load()) return -1;
    int done = 0;
    mpi.initialized(&done);
    if (done) { *provided = 1; return 0; }
    // FUNNELED: only the training thread calls MPI; the kernels' worker threads never do.
    return mpi.init_thread(NULL, NULL, 1, provided);
}

int bert_mpi_rank(int *rank) { return mpi.comm_rank(mpi.comm_world, rank); }
int bert_mpi_size(int *size) { return mpi.comm_size(mpi.comm_world, size); }

int bert_mpi_allreduce_sum_float(float *buffer, int count) {
    return mpi.allreduce((const void *)1, buffer, count, mpi.type_float, mpi.op_sum, mpi.comm_world);
}

int bert_mpi_allreduce_sum_double(double *buffer, int count) {
    return mpi.allreduce((const void *)1, buffer, count, mpi.type_double, mpi.op_sum, mpi.comm_world);
}

int bert_mpi_iallreduce_sum_float(float *buffer, int count, void **request) {
    return mpi.iallreduce((const void *)1, buffer, count, mpi.type_float, mpi.op_sum, mpi.comm_world, request);
}

int bert_mpi_wait(void **request) { return mpi.wait(request, NULL); }

int bert_mpi_test(void **request, int *done) { return mpi.test(request, done, NULL); }

int bert_mpi_bcast_double(double *buffer, int count, int root) {
    return mpi.bcast(buffer, count, mpi.type_double, root, mpi.comm_world);
}

int bert_mpi_bcast_float(float *buffer, int count, int root) {
    return mpi.bcast(buffer, count, mpi.type_float, root, mpi.comm_world);
}

int bert_mpi_barrier(void) { return mpi.barrier(mpi.comm_world); }

void bert_mpi_abort(int code) {
    if (mpi_loaded) mpi.abort(mpi.comm_world, code);
}

int bert_mpi_finalize(void) {
    if (!mpi_loaded) return 0;
    int done = 0;
    mpi.finalized(&done);
    return done ? 0 : mpi.finalize();
}

int bert_mpi_processor_name(char *name, int capacity) {
    // MPI_MAX_PROCESSOR_NAME is 256 in Open MPI; the caller's buffer must hold that.
    if (capacity < 256) return -1;
    int length = 0;
    int rc = mpi.processor_name(name, &length);
    if (rc == 0) name[length < capacity ? length : capacity - 1] = 0;
    return rc;
}

void bert_mpi_error_string(int code, char *text, int capacity) {
    if (capacity < 256 || !mpi_loaded) { if (capacity > 0) text[0] = 0; return; }
    int length = 0;
    if (mpi.error_string(code, text, &length) != 0) snprintf(text, (size_t)capacity, "MPI error %d", code);
}
