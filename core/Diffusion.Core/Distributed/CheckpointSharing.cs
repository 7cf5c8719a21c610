using System.Text;
using Diffusion.Abstractions.Distributed;

namespace Diffusion.Core.Distributed;

/// <summary>
/// Gives every rank the checkpoint folder rank 0 resumes a stage from: rank 0 reads the folder's files and broadcasts
/// them, the other ranks write them under their own scratch folder. The ranks need not share a file system.
/// </summary>
internal static class CheckpointSharing
{
    /// <summary>The folder to resume from on this rank (<paramref name="folder"/> on rank 0), or null when rank 0 has none.</summary>
    public static string? Share(ICommunicator communicator, string? folder, string scratch, string stage)
    {
        if (communicator.Size == 1) return folder;
        byte[] packed = communicator.BroadcastBytes(communicator.Rank == 0 ? Pack(folder) : null);
        if (communicator.Rank == 0) return folder;
        return packed.Length == 0 ? null : Unpack(packed, Path.Combine(scratch, "resume", stage));
    }

    private static byte[] Pack(string? folder)
    {
        if (folder is null) return [];
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)));
            var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToArray();
            writer.Write(files.Length);
            foreach (string file in files)
            {
                byte[] content = File.ReadAllBytes(file);
                writer.Write(Path.GetFileName(file));
                writer.Write(content.Length);
                writer.Write(content);
            }
        }
        return buffer.ToArray();
    }

    private static string Unpack(byte[] packed, string root)
    {
        using var reader = new BinaryReader(new MemoryStream(packed), Encoding.UTF8);
        string folder = Path.Combine(root, reader.ReadString());
        Directory.CreateDirectory(folder);
        int count = reader.ReadInt32();
        for (int i = 0; i < count; i++)
        {
            string name = Path.GetFileName(reader.ReadString());
            File.WriteAllBytes(Path.Combine(folder, name), reader.ReadBytes(reader.ReadInt32()));
        }
        return folder;
    }
}
