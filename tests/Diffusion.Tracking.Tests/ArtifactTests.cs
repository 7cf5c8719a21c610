using Diffusion.Tracking.Tests.Support;

namespace Diffusion.Tracking.Tests;

public abstract class ArtifactTests : IDisposable
{
    private static readonly string Sha = new('a', 64);
    private static readonly string OtherSha = new('B', 64);

    private readonly TestDatabase _db;
    private readonly ITrackingStore _store;

    protected ArtifactTests(TestDatabase db)
    {
        _db = db;
        _store = db.Open();
    }

    public void Dispose()
    {
        _store.Dispose();
        _db.Dispose();
    }

    [BackendFact]
    public void Artifacts_are_recorded_with_forward_slashes_and_replaced_by_path()
    {
        using var run = _store.StartRun(TestOptions.Run());
        run.RecordArtifact("samples\\0001.png", "sample", Sha, 1234);
        run.RecordArtifact("checkpoints/step-100/model.safetensors", "checkpoint", Sha, 10);
        run.RecordArtifact("checkpoints/step-100/model.safetensors", "checkpoint", OtherSha, 20);
        run.Flush();

        Assert.Equal(
            [
                new ArtifactRecord("checkpoints/step-100/model.safetensors", "checkpoint", OtherSha.ToLowerInvariant(), 20),
                new ArtifactRecord("samples/0001.png", "sample", Sha, 1234),
            ],
            _store.FindRun(run.RunId)!.Artifacts);
    }

    [BackendFact]
    public void Bad_artifact_records_are_refused_at_once()
    {
        using var run = _store.StartRun(TestOptions.Run());

        Assert.Throws<ArgumentException>(() => run.RecordArtifact("/etc/passwd", "sample", Sha, 1));
        Assert.Throws<ArgumentException>(() => run.RecordArtifact("a.png", "sample", "not-a-hash", 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => run.RecordArtifact("a.png", "sample", Sha, -1));
    }
}

public sealed class SqliteArtifactTests() : ArtifactTests(new SqliteTestDatabase());

public sealed class PostgresArtifactTests() : ArtifactTests(new PostgresTestDatabase()), IPostgresTests;
