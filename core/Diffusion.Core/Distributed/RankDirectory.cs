using System.Runtime.InteropServices;
using System.Text;
using Diffusion.Abstractions.Distributed;

namespace Diffusion.Core.Distributed;

/// <summary>
/// Which process and machine each rank is (<c>0=pid@host 1=pid@host ...</c>), gathered on every rank: recorded with the
/// run, so that mpiexec's report of a process that died (it gives the pid and host) names the rank.
/// </summary>
internal static class RankDirectory
{
    public static string Describe(ICommunicator communicator)
    {
        byte[] mine = Encoding.UTF8.GetBytes($"{Environment.ProcessId}@{Environment.MachineName}");
        var lengths = new int[communicator.Size];
        var lengthBytes = MemoryMarshal.AsBytes(lengths.AsSpan());
        communicator.AllGather(BitConverter.GetBytes(mine.Length), lengthBytes, Enumerable.Repeat(sizeof(int), communicator.Size).ToArray());
        var all = new byte[lengths.Sum()];
        communicator.AllGather(mine, all, lengths);
        var parts = new List<string>();
        int offset = 0;
        for (int r = 0; r < communicator.Size; r++)
        {
            parts.Add($"{r}={Encoding.UTF8.GetString(all, offset, lengths[r])}");
            offset += lengths[r];
        }
        return string.Join(' ', parts);
    }
}
