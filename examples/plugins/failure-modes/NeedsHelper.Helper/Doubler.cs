namespace NeedsHelper.Helper;

/// <summary>A base class from a separate library.</summary>
public abstract class Doubler
{
    /// <summary>Twice <paramref name="x"/>.</summary>
    protected static double Twice(double x) => 2 * x;
}
