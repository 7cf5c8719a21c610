using System.Diagnostics;
using System.Globalization;
using System.Text;
using Diffusion.Abstractions.Distributed;

namespace Diffusion.Core.Distributed;

/// <summary>
/// <see cref="ICommunicator"/> over MPI's <c>MPI_COMM_WORLD</c>. Every collective is started non-blocking and then
/// polled, so that while a rank waits it also watches for a failure reported by another rank (a point-to-point message
/// on its own tag, see <see cref="ReportFailure"/>), for cancellation (Ctrl+C, SIGTERM) and for the timeout: a wait
/// never outlasts <see cref="Timeout"/>, and ends in <see cref="RankFailedException"/> naming the rank instead.
/// A rank that dies outright is stopped by <c>mpiexec</c> itself, which then ends every other rank.
/// </summary>
public sealed unsafe class MpiCommunicator : ICommunicator
{
    private const int FailureTag = 0x7D1F;
    private const int AcknowledgeTag = 0x7D20;
    private const int MaxMessageBytes = 4096;

    private readonly CancellationToken _cancellation;
    private RankFailedException? _failure;

    private MpiCommunicator(int rank, int size, TimeSpan timeout, CancellationToken cancellation)
    {
        Rank = rank;
        Size = size;
        Timeout = timeout;
        _cancellation = cancellation;
    }

    /// <inheritdoc />
    public int Rank { get; }

    /// <inheritdoc />
    public int Size { get; }

    /// <summary>The longest a collective may wait for the other ranks (<c>DIFFUSION_MPI_TIMEOUT</c> seconds; default 1800).</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The failure another rank reported, once one has arrived.</summary>
    public RankFailedException? ReceivedFailure => _failure;

    /// <summary>Seconds spent in collectives so far (waiting included): the share of a step spent communicating.</summary>
    public double CommunicationSeconds { get; private set; }

    /// <summary>
    /// Initialises MPI (thread level serialized) and returns the world communicator. Call once per process, only when
    /// <see cref="MpiLaunch.Detect"/> found a launch with more than one rank.
    /// </summary>
    /// <exception cref="DllNotFoundException">No MPI library could be loaded.</exception>
    public static MpiCommunicator Start(TimeSpan timeout, CancellationToken cancellation)
    {
        MpiNative.EnsureLoaded();
        Check(MpiNative.Initialized(out int initialized), "MPI_Initialized");
        if (initialized == 0) Check(MpiNative.InitThread(IntPtr.Zero, IntPtr.Zero, MpiNative.ThreadSerialized, out _), "MPI_Init_thread");
        Check(MpiNative.CommSetErrhandler(MpiNative.CommWorld, MpiNative.ErrorsReturn), "MPI_Comm_set_errhandler");
        Check(MpiNative.CommRank(MpiNative.CommWorld, out int rank), "MPI_Comm_rank");
        Check(MpiNative.CommSize(MpiNative.CommWorld, out int size), "MPI_Comm_size");
        return new MpiCommunicator(rank, size, timeout, cancellation);
    }

    /// <inheritdoc />
    public void Broadcast(Span<byte> buffer, int root)
    {
        if (root < 0 || root >= Size) throw new ArgumentOutOfRangeException(nameof(root), root, $"root must be in 0 .. {Size - 1}");
        fixed (byte* data = buffer)
        {
            Check(MpiNative.Ibcast(data, buffer.Length, MpiNative.Byte, root, MpiNative.CommWorld, out int request), "MPI_Ibcast");
            Complete(ref request, "broadcast");
        }
    }

    /// <inheritdoc />
    public void AllReduceSum(Span<float> values)
    {
        fixed (float* data = values)
        {
            Check(MpiNative.Iallreduce((void*)MpiNative.InPlace, data, values.Length, MpiNative.Float, MpiNative.Sum, MpiNative.CommWorld, out int request), "MPI_Iallreduce");
            Complete(ref request, "all-reduce");
        }
    }

    /// <inheritdoc />
    public void AllReduceSum(Span<double> values)
    {
        fixed (double* data = values)
        {
            Check(MpiNative.Iallreduce((void*)MpiNative.InPlace, data, values.Length, MpiNative.Double, MpiNative.Sum, MpiNative.CommWorld, out int request), "MPI_Iallreduce");
            Complete(ref request, "all-reduce");
        }
    }

    /// <inheritdoc />
    public void AllGather(ReadOnlySpan<byte> mine, Span<byte> all, ReadOnlySpan<int> counts)
    {
        if (counts.Length != Size) throw new ArgumentException($"counts has {counts.Length} entries for {Size} ranks", nameof(counts));
        if (counts[Rank] != mine.Length) throw new ArgumentException($"rank {Rank} sends {mine.Length} bytes but counts says {counts[Rank]}", nameof(counts));
        var displacements = new int[Size];
        long total = 0;
        for (int r = 0; r < Size; r++)
        {
            displacements[r] = checked((int)total);
            total += counts[r];
        }
        if (total > all.Length) throw new ArgumentException($"all holds {all.Length} bytes, the ranks send {total}", nameof(all));
        fixed (byte* send = mine)
        fixed (byte* receive = all)
        fixed (int* countData = counts)
        fixed (int* displacementData = displacements)
        {
            Check(MpiNative.Iallgatherv(send, mine.Length, MpiNative.Byte, receive, countData, displacementData, MpiNative.Byte, MpiNative.CommWorld, out int request),
                "MPI_Iallgatherv");
            Complete(ref request, "all-gather");
        }
    }

    /// <inheritdoc />
    public void Barrier()
    {
        Check(MpiNative.Ibarrier(MpiNative.CommWorld, out int request), "MPI_Ibarrier");
        Complete(ref request, "barrier");
    }

    /// <summary>
    /// Tells every other rank that this rank failed with <paramref name="message"/>; their next (or current) collective
    /// throws <see cref="RankFailedException"/> with it. Rank 0 records it in the run; a non-zero rank then waits (at most
    /// <paramref name="acknowledgeWait"/>) for rank 0 to confirm and returns whether it did (if not, rank 0 may be gone,
    /// and this rank should print the message itself).
    /// </summary>
    public bool ReportFailure(string message, TimeSpan acknowledgeWait)
    {
        byte[] text = Encoding.UTF8.GetBytes($"{Rank}\n{message}");
        if (text.Length > MaxMessageBytes) text = text[..MaxMessageBytes];
        var requests = new List<int>();
        fixed (byte* data = text)
        {
            for (int r = 0; r < Size; r++)
            {
                if (r == Rank) continue;
                if (MpiNative.Isend(data, text.Length, MpiNative.Byte, r, FailureTag, MpiNative.CommWorld, out int request) == MpiNative.Success)
                    requests.Add(request);
            }
            // The messages are small (sent eagerly); wait for them to leave, briefly, as the buffer is pinned only here.
            var clock = Stopwatch.StartNew();
            foreach (int request in requests)
            {
                int pending = request;
                while (clock.Elapsed < TimeSpan.FromSeconds(5))
                {
                    if (MpiNative.Test(ref pending, out int done, MpiNative.StatusIgnore) != MpiNative.Success || done != 0) break;
                    Thread.Sleep(1);
                }
            }
        }
        if (Rank == 0) return true;
        var wait = Stopwatch.StartNew();
        while (wait.Elapsed < acknowledgeWait)
        {
            if (Arrived(0, AcknowledgeTag) || Arrived(0, FailureTag)) return true;
            Thread.Sleep(5);
        }
        return false;
    }

    /// <summary>Rank 0 confirms to the rank whose failure it received that the failure is recorded.</summary>
    public void AcknowledgeFailure()
    {
        if (Rank != 0 || _failure is not { Rank: >= 0 and var rank } || rank == Rank) return;
        byte ok = 1;
        if (MpiNative.Isend(&ok, 1, MpiNative.Byte, rank, AcknowledgeTag, MpiNative.CommWorld, out int request) != MpiNative.Success) return;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            if (MpiNative.Test(ref request, out int done, MpiNative.StatusIgnore) != MpiNative.Success || done != 0) return;
            Thread.Sleep(1);
        }
    }

    /// <summary>Ends every rank's process at once with <paramref name="exitCode"/> (what <c>mpiexec</c> returns): the way out after a failure.</summary>
    public static void Abort(int exitCode)
    {
        MpiNative.Abort(MpiNative.CommWorld, exitCode);
        Environment.Exit(exitCode); // MPI_Abort does not return; this is for an MPI that does
    }

    /// <summary>Waits for every rank (bounded by the timeout), then finalises MPI: the way out of a run that completed on every rank.</summary>
    public void Finish()
    {
        Barrier();
        Check(MpiNative.Finalize(), "MPI_Finalize");
    }

    private void Complete(ref int request, string operation)
    {
        if (_failure is not null) throw _failure;
        var clock = Stopwatch.StartNew();
        try
        {
            long polls = 0;
            while (true)
            {
                Check(MpiNative.Test(ref request, out int done, MpiNative.StatusIgnore), operation);
                if (done != 0) return;
                if (++polls % 64 == 0)
                {
                    PollFailure();
                    _cancellation.ThrowIfCancellationRequested();
                    if (clock.Elapsed > Timeout)
                        throw _failure = new RankFailedException(-1,
                            $"rank {Rank} waited {Timeout.TotalSeconds:0} s in {operation} without an answer from the other ranks: one of them stopped or hangs " +
                            "(DIFFUSION_MPI_TIMEOUT sets the limit)");
                }
                // Spin while the wait is short (a balanced step), then give the core away.
                if (clock.ElapsedTicks > Stopwatch.Frequency / 50) Thread.Sleep(1);
                else Thread.SpinWait(64);
            }
        }
        finally
        {
            CommunicationSeconds += clock.Elapsed.TotalSeconds;
        }
    }

    private void PollFailure()
    {
        if (MpiNative.Iprobe(MpiNative.AnySource, FailureTag, MpiNative.CommWorld, out int flag, out var status) != MpiNative.Success || flag == 0) return;
        MpiNative.GetCount(status, MpiNative.Byte, out int count);
        var text = new byte[Math.Clamp(count, 0, MaxMessageBytes)];
        fixed (byte* data = text)
            MpiNative.Recv(data, text.Length, MpiNative.Byte, status.Source, FailureTag, MpiNative.CommWorld, MpiNative.StatusIgnore);
        string message = Encoding.UTF8.GetString(text);
        int newline = message.IndexOf('\n');
        int rank = newline > 0 && int.TryParse(message[..newline], NumberStyles.Integer, CultureInfo.InvariantCulture, out int r) ? r : status.Source;
        throw _failure = new RankFailedException(rank, $"rank {rank} failed: {(newline >= 0 ? message[(newline + 1)..] : message)}");
    }

    private static bool Arrived(int source, int tag) =>
        MpiNative.Iprobe(source, tag, MpiNative.CommWorld, out int flag, out _) == MpiNative.Success && flag != 0;

    private static void Check(int code, string call)
    {
        if (code != MpiNative.Success) throw new InvalidOperationException($"{call} failed: {MpiNative.Describe(code)}");
    }
}
