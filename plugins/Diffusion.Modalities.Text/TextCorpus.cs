namespace Diffusion.Modalities.Text;

/// <summary>Where the text comes from.</summary>
public enum TextCorpus
{
    /// <summary>A few hundred short English lines shipped with the plugin (no files needed).</summary>
    Builtin,
    /// <summary>A UTF-8 text file, or a folder of <c>*.txt</c> files: one entry per non-blank line.</summary>
    File,
    /// <summary>Fortune files (Debian's <c>fortunes</c> package): entries separated by lines holding only <c>%</c>.</summary>
    Fortunes,
}
