using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Sets VER_FLG_WEAK on the Elf64_Vernaux entry named <see cref="VersionName"/> in an ELF shared library,
/// but only when the machine's libstdc++ does not define that version. glibc treats a missing weak version
/// as non-fatal, so the library loads. Idempotent; writes a fresh file so hard links to caches stay intact.
/// </summary>
public sealed class MarkGlibcxxVersionWeak : Task
{
    [Required] public string LibraryPath { get; set; } = "";
    [Required] public string VersionName { get; set; } = "";

    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    private static readonly string[] LibStdCxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
    };

    public override bool Execute()
    {
        string system = Array.Find(LibStdCxxCandidates, File.Exists);
        if (system != null && Contains(File.ReadAllBytes(system), Encoding.ASCII.GetBytes(VersionName + "\0")))
        {
            Log.LogMessage(MessageImportance.Low, $"{system} defines {VersionName}; {LibraryPath} left as is.");
            return true;
        }

        byte[] elf = File.ReadAllBytes(LibraryPath);
        int changed = MarkWeak(elf, VersionName);
        if (changed < 0)
        {
            Log.LogWarning($"{LibraryPath}: not a 64-bit little-endian ELF file with a version-need section; not patched.");
            return true;
        }
        if (changed == 0)
        {
            Log.LogMessage(MessageImportance.Low, $"{LibraryPath}: {VersionName} already weak or not needed.");
            return true;
        }

        // Keep the copied file's timestamp (the size is unchanged too), so the next incremental build sees the
        // output as up to date and does not copy the unpatched library over it again.
        DateTime stamp = File.GetLastWriteTimeUtc(LibraryPath);
        string temp = LibraryPath + ".patching";
        File.WriteAllBytes(temp, elf);
        File.SetLastWriteTimeUtc(temp, stamp);
        File.Delete(LibraryPath);
        File.Move(temp, LibraryPath);
        Log.LogMessage(MessageImportance.High, $"Marked {VersionName} weak in {LibraryPath} (this machine's libstdc++ lacks it).");
        return true;
    }

    /// <returns>Entries changed, or -1 when the file is not a usable ELF64 LE image.</returns>
    private static int MarkWeak(byte[] b, string name)
    {
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F' || b[4] != 2 || b[5] != 1)
            return -1;
        long shoff = BitConverter.ToInt64(b, 0x28);
        int shentsize = BitConverter.ToUInt16(b, 0x3A);
        int shnum = BitConverter.ToUInt16(b, 0x3C);
        int changed = 0;
        bool found = false;
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(b, (int)sh + 4) != ShtGnuVerneed) continue;
            found = true;
            long offset = BitConverter.ToInt64(b, (int)sh + 0x18);
            int link = (int)BitConverter.ToUInt32(b, (int)sh + 0x28);
            long strOffset = BitConverter.ToInt64(b, (int)(shoff + (long)link * shentsize) + 0x18);

            long need = offset;
            while (true)
            {
                int count = BitConverter.ToUInt16(b, (int)need + 2);
                long aux = need + BitConverter.ToUInt32(b, (int)need + 8);
                for (int a = 0; a < count; a++)
                {
                    uint nameOffset = BitConverter.ToUInt32(b, (int)aux + 8);
                    if (ReadCString(b, strOffset + nameOffset) == name)
                    {
                        ushort flags = BitConverter.ToUInt16(b, (int)aux + 4);
                        if ((flags & VerFlgWeak) == 0)
                        {
                            flags |= VerFlgWeak;
                            b[aux + 4] = (byte)(flags & 0xff);
                            b[aux + 5] = (byte)(flags >> 8);
                            changed++;
                        }
                    }
                    aux += BitConverter.ToUInt32(b, (int)aux + 12);
                }
                uint next = BitConverter.ToUInt32(b, (int)need + 12);
                if (next == 0) break;
                need += next;
            }
        }
        return found ? changed : -1;
    }

    private static string ReadCString(byte[] b, long start)
    {
        long end = start;
        while (end < b.Length && b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, (int)start, (int)(end - start));
    }

    private static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }
}
