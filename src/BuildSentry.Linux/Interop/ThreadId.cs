using System.Runtime.InteropServices;

namespace BuildSentry.Linux.Interop;

/// <summary>The calling thread's kernel id (what /proc/self/task/TID names), for priorities and a reader's state.</summary>
public static partial class ThreadId
{
    public static int Current() => GetTid();

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();
}
