using System.Text.RegularExpressions;
using TorchSharp.Modules;

namespace Diffusion.Stages.Lora;

/// <summary>
/// Which layers of a network an adapter wraps: the linear and 2-D convolution layers (groups 1) whose dotted path
/// matches one of the patterns. A pattern without <c>*</c> matches a layer named exactly so or ending in <c>.pattern</c>
/// (PEFT's <c>target_modules</c>: <c>qkv</c> matches <c>mid_block1.attention.qkv</c>); a pattern with <c>*</c> is a glob
/// over the whole path (<c>up_blocks.*.conv2</c>).
/// </summary>
internal static class LoraTargets
{
    /// <summary>The default targets: the attention projections of the first-party denoisers (UNet, DiT, transformer).</summary>
    public static readonly string[] Attention = ["qkv", "proj", "to_q", "to_kv"];

    /// <summary>The matching layers, in the network's order.</summary>
    /// <exception cref="PluginInputException">No layer matches, naming a few that could.</exception>
    public static List<(string Path, nn.Module Layer)> Find(nn.Module network, IReadOnlyList<string> patterns)
    {
        var candidates = network.named_modules()
            .Where(m => m.module is Linear || (m.module is Conv2d c && c.groups == 1))
            .ToList();
        var matchers = patterns.Select(Matcher).ToList();
        var found = candidates.Where(m => matchers.Any(match => match(m.name))).ToList();
        if (found.Count == 0)
            throw new PluginInputException(
                $"lora targets [{string.Join(", ", patterns)}] match no linear or convolution layer of the network; its layers include " +
                $"{string.Join(", ", candidates.Take(8).Select(c => c.name))}{(candidates.Count > 8 ? ", ..." : "")}: name one of them, a last part (qkv), or a glob (up_blocks.*.conv1)");
        return found;
    }

    private static Func<string, bool> Matcher(string pattern)
    {
        if (!pattern.Contains('*')) return path => path == pattern || path.EndsWith("." + pattern, StringComparison.Ordinal);
        var regex = new Regex("^" + string.Join(".*", pattern.Split('*').Select(Regex.Escape)) + "$", RegexOptions.CultureInvariant);
        return regex.IsMatch;
    }
}
