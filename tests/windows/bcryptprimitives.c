/* ProcessPrng for Wine 8, which lacks it.
 *
 * Rust's standard library on Windows imports ProcessPrng from
 * bcryptprimitives.dll; Windows 10 and later have it, Wine 8.0 does not,
 * so a cross-built program does not start there. This stand-in, built with
 * MinGW-w64 and put beside the program only for the checks under Wine
 * (`make test`), fills the buffer from RtlGenRandom (advapi32's
 * SystemFunction036). It is never part of the installer.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
