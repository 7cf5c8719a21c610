namespace Diffusion.Tracking;

/// <summary>One step of the schema: applied once, in version order, inside the migration lock.</summary>
/// <param name="Version">The schema version the step leads to (1, 2, ...).</param>
/// <param name="Description">What the step does, stored in <c>schema_version</c>.</param>
/// <param name="Sql">The statements of the step.</param>
internal sealed record Migration(int Version, string Description, string Sql);
