namespace Diffusion.Tests.Shared;

/// <summary>
/// Random edits of a pipeline file for the fuzz tests (the reader in process, and <c>diffusion validate</c> through the
/// binary): lines removed, repeated, swapped, re-indented or cut short; values replaced by hostile tokens (aliases,
/// interpolations, tags, huge numbers, control characters, paths); colons broken. Deterministic for a given
/// <see cref="Random"/>.
/// </summary>
public static class PipelineMutator
{
    private static readonly string[] Tokens =
    [
        "", "~", "null", "-1", "0", "1e999", "-1e999", ".nan", "NaN", "inf", "99999999999999999999", "0x10", "true",
        "[", "]", "{", "}", "[[[[", "{a: ", "*a", "&a", "*nowhere", "&x [*x]", "${", "${nope}", "${env:NOPE}", "$${x}",
        "!!binary AAAA", "!!python/object:os.system", "'", "\"", "\\", "\t", "é", "\u0000", "\uFFFD", "- ", ": ", "#",
        "---", "...", "? ", "| ", "> ", "<<: *a", "%YAML 1.1", "@", "`", new string('x', 5000), "../../../../etc/passwd",
        "/dev/zero", "plugin", "type", "stages", "components", "unet2d", "train", "[1, 2, 3]", "{x: 1}",
    ];

    /// <summary>
    /// One to three random edits of <paramref name="text"/>.
    /// </summary>
    public static string Mutate(string text, Random random)
    {
        int rounds = 1 + random.Next(3);
        for (int r = 0; r < rounds; r++)
        {
            var lines = text.Split('\n').ToList();
            int line = random.Next(lines.Count);
            switch (random.Next(9))
            {
                case 0:
                    lines.RemoveAt(line);
                    break;
                case 1:
                    lines.Insert(line, lines[random.Next(lines.Count)]);
                    break;
                case 2:
                    (lines[line], lines[random.Next(lines.Count)]) = (lines[random.Next(lines.Count)], lines[line]);
                    break;
                case 3:
                    // Replace the value after a colon, or append one.
                    int colon = lines[line].IndexOf(": ", StringComparison.Ordinal);
                    string token = Tokens[random.Next(Tokens.Length)];
                    lines[line] = colon >= 0 ? lines[line][..(colon + 2)] + token : lines[line] + token;
                    break;
                case 4:
                    lines[line] = new string(' ', random.Next(12)) + lines[line].TrimStart();
                    break;
                case 5:
                    return string.Join('\n', lines)[..random.Next(text.Length + 1)];
                case 6:
                {
                    string joined = string.Join('\n', lines);
                    int at = random.Next(joined.Length + 1);
                    return joined[..at] + Tokens[random.Next(Tokens.Length)] + joined[at..];
                }
                case 7:
                {
                    string joined = string.Join('\n', lines);
                    if (joined.Length == 0) return joined;
                    int at = random.Next(joined.Length);
                    return joined.Remove(at, Math.Min(1 + random.Next(8), joined.Length - at));
                }
                default:
                    lines[line] = lines[line].Replace(':', random.Next(2) == 0 ? '=' : ' ');
                    break;
            }
            text = string.Join('\n', lines);
        }
        return text;
    }
}
