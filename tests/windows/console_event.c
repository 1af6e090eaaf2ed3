/* Sends a console control event to every running process of a name, as
 * Windows' console does: a thread started in the process at kernelbase's
 * CtrlRoutine with the event (0 Ctrl-C, 1 Ctrl-Break, 2 the console
 * closed). CtrlRoutine calls the process's handlers, as pressing Ctrl-C or
 * closing its console window would. For the checks under Wine only
 * (scripts/check_windows.py), which has no console window to close.
 *
 * Usage: console_event.exe NAME.exe EVENT
 * Exit status: 0 when at least one process got the event.
 */
#include <windows.h>
#include <tlhelp32.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: console_event NAME.exe EVENT\n");
        return 2;
    }
    DWORD event = (DWORD)atoi(argv[2]);
    FARPROC routine = GetProcAddress(GetModuleHandleA("kernelbase.dll"), "CtrlRoutine");
    if (!routine) {
        fprintf(stderr, "console_event: no CtrlRoutine in kernelbase.dll\n");
        return 1;
    }
    HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    PROCESSENTRY32 entry = { .dwSize = sizeof(entry) };
    int sent = 0;
    for (BOOL more = Process32First(snapshot, &entry); more; more = Process32Next(snapshot, &entry)) {
        if (_stricmp(entry.szExeFile, argv[1]) != 0) {
            continue;
        }
        HANDLE process = OpenProcess(PROCESS_ALL_ACCESS, FALSE, entry.th32ProcessID);
        if (!process) {
            continue;
        }
        HANDLE thread = CreateRemoteThread(process, NULL, 0, (LPTHREAD_START_ROUTINE)routine,
                                           (LPVOID)(ULONG_PTR)event, 0, NULL);
        if (thread) {
            printf("console_event: event %lu sent to %s (%lu)\n", event, argv[1],
                   entry.th32ProcessID);
            CloseHandle(thread);
            sent++;
        }
        CloseHandle(process);
    }
    CloseHandle(snapshot);
    return sent ? 0 : 1;
}
