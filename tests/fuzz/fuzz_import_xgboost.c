/* libFuzzer: the XGBoost JSON importer. Any text either is refused with a message or compiles to a blob
 * that eb_model_open accepts and that evaluates.
 * FUZZ_SOURCES: firmware/core/model.c firmware/core/name_table.c firmware/core/model_eval.c firmware/core/model_eval_x86.c firmware/core/model_rows_x86.c firmware/common/errf.c firmware/common/file_read.c tools/edgebox/model/import_xgboost.c tools/edgebox/model/import_lightgbm.c tools/edgebox/model/model_build.c tools/edgebox/model/model_complete.c tools/edgebox/model/model_compile.c
 * FUZZ_LIBS: -lcjson */
#include "tests/fuzz/fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_import(data, size, eb_compile_xgboost_json);
}
