using System.Runtime.InteropServices;

namespace BuildSentry.Linux.Interop;

/// <summary>
/// libbpf's object, program and map calls (Debian's libbpf1). Since libbpf 1.0 a failing call returns NULL or a
/// negative errno and also sets errno, which <see cref="Marshal.GetLastPInvokeError"/> reads.
/// </summary>
internal static unsafe partial class Libbpf
{
    public const string Library = "libbpf.so.1";

    [LibraryImport(Library, EntryPoint = "bpf_object__open_mem", SetLastError = true)]
    public static partial nint ObjectOpenMem(byte* buffer, nuint size, nint options);

    [LibraryImport(Library, EntryPoint = "bpf_object__load", SetLastError = true)]
    public static partial int ObjectLoad(nint obj);

    [LibraryImport(Library, EntryPoint = "bpf_object__close")]
    public static partial void ObjectClose(nint obj);

    [LibraryImport(Library, EntryPoint = "bpf_object__find_map_by_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint FindMap(nint obj, string name);

    [LibraryImport(Library, EntryPoint = "bpf_object__find_program_by_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint FindProgram(nint obj, string name);

    [LibraryImport(Library, EntryPoint = "bpf_map__set_max_entries")]
    public static partial int MapSetMaxEntries(nint map, uint maxEntries);

    /// <summary>The writable copy of a global-data map's contents that load hands to the kernel.</summary>
    [LibraryImport(Library, EntryPoint = "bpf_map__initial_value")]
    public static partial byte* MapInitialValue(nint map, out nuint size);

    [LibraryImport(Library, EntryPoint = "bpf_map__fd")]
    public static partial int MapFd(nint map);

    [LibraryImport(Library, EntryPoint = "bpf_program__attach", SetLastError = true)]
    public static partial nint ProgramAttach(nint program);

    [LibraryImport(Library, EntryPoint = "bpf_link__destroy")]
    public static partial int LinkDestroy(nint link);

    [LibraryImport(Library, EntryPoint = "libbpf_num_possible_cpus")]
    public static partial int PossibleCpus();

    [LibraryImport(Library, EntryPoint = "bpf_map_update_elem", SetLastError = true)]
    public static partial int MapUpdate(int fd, void* key, void* value, ulong flags);

    [LibraryImport(Library, EntryPoint = "bpf_map_lookup_elem", SetLastError = true)]
    public static partial int MapLookup(int fd, void* key, void* value);

    [LibraryImport(Library, EntryPoint = "bpf_map_lookup_batch", SetLastError = true)]
    public static partial int MapLookupBatch(int fd, void* inBatch, void* outBatch, void* keys, void* values, uint* count, nint options);

    [LibraryImport(Library, EntryPoint = "bpf_map_get_next_key", SetLastError = true)]
    public static partial int MapGetNextKey(int fd, void* key, void* nextKey);

    [LibraryImport(Library, EntryPoint = "bpf_map_delete_elem", SetLastError = true)]
    public static partial int MapDelete(int fd, void* key);

    /// <summary>The errno of a call: libbpf returns -errno, and sets errno where the kernel did.</summary>
    public static int Errno(int result) => result < 0 ? -result : Marshal.GetLastPInvokeError();
}
