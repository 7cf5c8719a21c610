using System.Reflection;
using System.Runtime.InteropServices;

namespace Diffusion.Core.Distributed;

/// <summary>
/// The few MPI calls the host uses, bound to the system's MPI library of the MPICH ABI family (MPICH, Intel MPI, Cray
/// MPICH, MVAPICH: <c>libmpi.so.12</c> / <c>libmpich.so.12</c>), whose handles are plain integers fixed by that ABI
/// (values from MPICH's <c>mpi.h</c>). <c>DIFFUSION_MPI_LIBRARY</c> names another file. Loaded only when a run
/// starts under <c>mpiexec</c>.
/// </summary>
internal static unsafe partial class MpiNative
{
    private const string Library = "diffusion-mpi";

    public const int Success = 0;
    public const int CommWorld = 0x44000000;
    public const int Byte = 0x4c00010d;
    public const int Float = 0x4c00040a;
    public const int Double = 0x4c00080b;
    public const int Sum = 0x58000003;
    public const int AnySource = -2;
    public const int ThreadSerialized = 2;
    public const int ErrorsReturn = 0x54000001;
    public const int RequestNull = 0x2c000000;
    public static readonly IntPtr InPlace = -1;
    public static readonly IntPtr StatusIgnore = 1;

    static MpiNative() => NativeLibrary.SetDllImportResolver(typeof(MpiNative).Assembly, Resolve);

    /// <summary>Loads the library now, so that a missing MPI is one clear error before anything else.</summary>
    public static void EnsureLoaded() => Initialized(out _);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Library) return IntPtr.Zero;
        var candidates = Environment.GetEnvironmentVariable("DIFFUSION_MPI_LIBRARY") is { Length: > 0 } configured
            ? [configured]
            : new[] { "libmpi.so.12", "libmpich.so.12", "libmpi.so", "libmpich.so" };
        foreach (string candidate in candidates)
            if (NativeLibrary.TryLoad(candidate, out var handle)) return handle;
        throw new DllNotFoundException(
            $"no MPI library of the MPICH family found (tried {string.Join(", ", candidates)}): install Debian's 'mpich' package or set DIFFUSION_MPI_LIBRARY to the libmpi.so.12 of your cluster's MPI");
    }

    [LibraryImport(Library, EntryPoint = "MPI_Initialized")]
    public static partial int Initialized(out int flag);

    [LibraryImport(Library, EntryPoint = "MPI_Finalized")]
    public static partial int Finalized(out int flag);

    [LibraryImport(Library, EntryPoint = "MPI_Init_thread")]
    public static partial int InitThread(IntPtr argc, IntPtr argv, int required, out int provided);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_set_errhandler")]
    public static partial int CommSetErrhandler(int comm, int handler);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_rank")]
    public static partial int CommRank(int comm, out int rank);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_size")]
    public static partial int CommSize(int comm, out int size);

    [LibraryImport(Library, EntryPoint = "MPI_Ibcast")]
    public static partial int Ibcast(void* buffer, int count, int datatype, int root, int comm, out int request);

    [LibraryImport(Library, EntryPoint = "MPI_Iallreduce")]
    public static partial int Iallreduce(void* send, void* receive, int count, int datatype, int op, int comm, out int request);

    [LibraryImport(Library, EntryPoint = "MPI_Iallgatherv")]
    public static partial int Iallgatherv(void* send, int sendCount, int sendType, void* receive, int* receiveCounts, int* displacements,
        int receiveType, int comm, out int request);

    [LibraryImport(Library, EntryPoint = "MPI_Ibarrier")]
    public static partial int Ibarrier(int comm, out int request);

    [LibraryImport(Library, EntryPoint = "MPI_Isend")]
    public static partial int Isend(void* buffer, int count, int datatype, int destination, int tag, int comm, out int request);

    [LibraryImport(Library, EntryPoint = "MPI_Irecv")]
    public static partial int Irecv(void* buffer, int count, int datatype, int source, int tag, int comm, out int request);

    [LibraryImport(Library, EntryPoint = "MPI_Iprobe")]
    public static partial int Iprobe(int source, int tag, int comm, out int flag, out Status status);

    [LibraryImport(Library, EntryPoint = "MPI_Recv")]
    public static partial int Recv(void* buffer, int count, int datatype, int source, int tag, int comm, IntPtr status);

    [LibraryImport(Library, EntryPoint = "MPI_Get_count")]
    public static partial int GetCount(in Status status, int datatype, out int count);

    [LibraryImport(Library, EntryPoint = "MPI_Test")]
    public static partial int Test(ref int request, out int flag, IntPtr status);

    [LibraryImport(Library, EntryPoint = "MPI_Abort")]
    public static partial int Abort(int comm, int errorCode);

    [LibraryImport(Library, EntryPoint = "MPI_Finalize")]
    public static partial int Finalize();

    [LibraryImport(Library, EntryPoint = "MPI_Error_string")]
    public static partial int ErrorString(int code, byte* text, out int length);

    /// <summary>MPICH's <c>MPI_Status</c> (five ints).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Status
    {
        public int CountLow;
        public int CountHighAndCancelled;
        public int Source;
        public int Tag;
        public int Error;
    }

    /// <summary>MPI's own text for an error code.</summary>
    public static string Describe(int code)
    {
        var text = stackalloc byte[512];
        return ErrorString(code, text, out int length) == Success
            ? System.Text.Encoding.ASCII.GetString(text, Math.Clamp(length, 0, 512))
            : $"MPI error {code}";
    }
}
