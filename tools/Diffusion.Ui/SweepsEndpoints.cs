using System.Text.Json;
using Diffusion.Tracking;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Diffusion.Ui;

/// <summary>The sweeps API: every sweep with its progress and best trial; one sweep with all its trials.</summary>
internal static class SweepsEndpoints
{
    public static void Map(IEndpointRouteBuilder api, DashboardData data)
    {
        api.MapMethods("/sweeps", Dashboard.ReadMethods, () => Results.Json(data.Sweeps.List().Select(s => Summary(s, data.Sweeps.Trials(s.Definition.Id))), Dashboard.Json));
        api.MapMethods("/sweeps/{id}", Dashboard.ReadMethods, (string id) => Show(data, id));
    }

    private static object Summary(SweepRecord sweep, IReadOnlyList<TrialRecord> trials)
    {
        var definition = sweep.Definition;
        var completed = trials.Where(t => t.State == TrialState.Completed && t.Value is not null).ToList();
        var best = completed.Count == 0 ? null : definition.Maximize ? completed.MaxBy(t => t.Value) : completed.MinBy(t => t.Value);
        return new
        {
            id = definition.Id,
            pipelinePath = definition.PipelinePath,
            method = definition.Method,
            objective = definition.Objective,
            direction = definition.Maximize ? "maximize" : "minimize",
            budget = definition.Budget,
            state = sweep.State.ToString().ToUpperInvariant(),
            message = sweep.Message,
            counts = Enum.GetValues<TrialState>().ToDictionary(s => s.ToString().ToUpperInvariant(), s => trials.Count(t => t.State == s)),
            best = best is null ? null : new { number = best.Number, value = best.Value, runId = best.RunId },
        };
    }

    private static IResult Show(DashboardData data, string id)
    {
        var sweep = id.Length is > 0 and <= 64 && id.All(char.IsAsciiLetterOrDigit) ? data.Sweeps.Find(id) : null;
        if (sweep is null)
        {
            // A unique prefix of the parent run's id names the sweep too.
            try
            {
                sweep = data.Find(id) is { } run ? data.Sweeps.Find(run.Run.Id) : null;
            }
            catch (AmbiguousRunIdException e)
            {
                return Dashboard.Problem(400, e.Message);
            }
        }

        if (sweep is null) return Dashboard.Problem(404, $"no sweep '{id}' in {data.Location}");
        var trials = data.Sweeps.Trials(sweep.Definition.Id);
        return Results.Json(new
        {
            sweep = Summary(sweep, trials),
            overrides = sweep.Definition.Overrides,
            trials = trials.Select(t => new
            {
                number = t.Number,
                state = t.State.ToString().ToUpperInvariant(),
                point = Point(t.Point),
                value = t.Value,
                runId = t.RunId,
                attempts = t.Attempts,
                worker = t.Worker,
                message = t.Message,
            }),
        }, Dashboard.Json);
    }

    /// <summary>A trial's values by parameter path, as the sweep wrote them (text).</summary>
    private static Dictionary<string, string> Point(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
        }
        catch (JsonException)
        {
            return new() { ["point"] = json };
        }
    }
}
