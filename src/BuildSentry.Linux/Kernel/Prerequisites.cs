using System.Runtime.InteropServices;
using BuildSentry.Linux.Interop;

namespace BuildSentry.Linux.Kernel;

/// <summary>What the kernel sensor needs before it tries to load: said plainly, since the fallback's alert repeats it.</summary>
public static class Prerequisites
{
    public const string KernelBtf = "/sys/kernel/btf/vmlinux";

    /// <summary>The first thing missing, or null.</summary>
    public static string? Missing()
    {
        if (!File.Exists(KernelBtf))
        {
            return $"the kernel has no BTF ({KernelBtf} is missing): it needs CONFIG_DEBUG_INFO_BTF, kernel 5.8 or later";
        }

        if (!NativeLibrary.TryLoad(Libbpf.Library, out var handle))
        {
            return $"{Libbpf.Library} is not installed (Debian package libbpf1)";
        }

        NativeLibrary.Free(handle);
        return null;
    }
}
