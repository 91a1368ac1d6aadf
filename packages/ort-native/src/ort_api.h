/*
 * The slice of onnxruntime's C ABI that clade_ort uses, shared by its C files. No onnxruntime
 * headers: OrtApi is an append-only table of function pointers, called here by slot number.
 */
#ifndef CLADE_ORT_API_H
#define CLADE_ORT_API_H
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>

/* ---- the slice of onnxruntime's C ABI we use ----------------------------------------------- */

typedef struct OrtStatus OrtStatus;
typedef struct OrtEnv OrtEnv;
typedef struct OrtSession OrtSession;
typedef struct OrtSessionOptions OrtSessionOptions;
typedef struct OrtValue OrtValue;
typedef struct OrtMemoryInfo OrtMemoryInfo;
typedef struct OrtTypeInfo OrtTypeInfo;
typedef struct OrtTensorTypeAndShapeInfo OrtTensorTypeAndShapeInfo;
typedef struct OrtCustomOpDomain OrtCustomOpDomain;
typedef struct OrtKernelInfo OrtKernelInfo;
typedef struct OrtKernelContext OrtKernelContext;
typedef struct OrtShapeInferContext OrtShapeInferContext;
typedef struct OrtAllocator OrtAllocator;
typedef void *const *OrtApiTable;

typedef struct {
  OrtApiTable (*GetApi)(uint32_t version);
  const char *(*GetVersionString)(void);
} OrtApiBase;

enum { ORT_FLOAT = 1, ORT_INT32 = 6, ORT_INT64 = 7 };
enum { ORT_INVALID_ARGUMENT = 2 };
/* OrtApi slots (0-based), see the comment at the top. */
enum {
  S_CreateStatus = 0, S_GetErrorMessage = 2, S_CreateEnv = 3, S_CreateSessionFromArray = 8, S_Run = 9,
  S_CreateSessionOptions = 10, S_SetSessionExecutionMode = 13, S_EnableProfiling = 14, S_DisableMemPattern = 17,
  S_SetSessionGraphOptimizationLevel = 23, S_SetIntraOpNumThreads = 24, S_SetInterOpNumThreads = 25,
  S_CreateCustomOpDomain = 26, S_CustomOpDomain_Add = 27, S_AddCustomOpDomain = 28,
  S_SessionGetInputCount = 30, S_SessionGetOutputCount = 31, S_SessionGetInputTypeInfo = 33,
  S_SessionGetInputName = 36, S_SessionGetOutputName = 37, S_CreateTensorWithDataAsOrtValue = 49,
  S_GetTensorMutableData = 51, S_CastTypeInfoToTensorInfo = 55, S_GetTensorElementType = 60,
  S_GetDimensionsCount = 61, S_GetDimensions = 62, S_GetTensorTypeAndShape = 65, S_CreateCpuMemoryInfo = 69,
  S_AllocatorFree = 76, S_GetAllocatorWithDefaultOptions = 78, S_KernelContext_GetInput = 90,
  S_KernelContext_GetOutput = 91, S_ReleaseStatus = 93,
  S_ReleaseSession = 95, S_ReleaseValue = 96, S_ReleaseTypeInfo = 98, S_ReleaseTensorTypeAndShapeInfo = 99,
  S_ReleaseSessionOptions = 100, S_ReleaseCustomOpDomain = 101, S_SessionEndProfiling = 110, S_AddSessionConfigEntry = 130,
  S_ShapeInferContext_GetInputTypeShape = 268, S_ShapeInferContext_SetOutputTypeShape = 270,
  S_KernelContext_ParallelFor = 274,
};
/* The table version we ask for: KernelContext_ParallelFor and shape inference came in 17. */
#define API_VERSION 17

extern OrtApiTable api;
extern OrtEnv *env;
extern OrtMemoryInfo *cpu_info;

#define FN(name, ret, ...) ((ret(*)(__VA_ARGS__))api[S_##name])

/*
 * Hot loops are compiled for AVX-512, AVX2 and baseline x86-64, picked at load time by the CPU
 * (GCC/Clang function multiversioning on Linux); elsewhere one portable build.
 */
#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__))
#define SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SIMD_CLONES
#endif

/* Throws an ORT status as a JS Error (prefixed 'onnxruntime: ') and frees it. Returns 1 if thrown. */
int thrown(napi_env e, OrtStatus *s);

/* Adds the tensor kernels (tensor_kernels.c) to the module's exports. */
void register_tensor_kernels(napi_env e, napi_value exports);

#endif
