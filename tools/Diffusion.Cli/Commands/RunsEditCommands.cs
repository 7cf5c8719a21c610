using System.CommandLine;
using Diffusion.Tracking;
using static Diffusion.Cli.Commands.RunsSupport;

namespace Diffusion.Cli.Commands;

/// <summary><c>diffusion runs tag|delete|restore</c>: annotate runs, hide them (soft delete) and bring them back.</summary>
internal static class RunsEditCommands
{
    public static IEnumerable<Command> Create() => [Tag(), Delete(), Restore()];

    private static Command Tag()
    {
        var id = CommandLine.Ids(new Argument<string>("run-id") { Description = "The run id (a unique prefix is enough)." });
        var tags = new Argument<string[]>("tags") { Description = "KEY=VALUE pairs to set.", Arity = ArgumentArity.ZeroOrMore };
        var remove = new Option<string[]>("--remove") { Description = "A tag key to remove (repeatable).", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("tag", "Set or remove tags of a run: runs tag ID best=yes note=\"lower lr\" --remove old") { id, tags, remove };
        command.SetAction(result =>
        {
            var pairs = new List<KeyValuePair<string, string>>();
            foreach (var pair in result.GetValue(tags) ?? [])
            {
                int equals = pair.IndexOf('=');
                if (equals <= 0)
                {
                    Console.Error.WriteLine($"error: bad tag '{pair}': expected KEY=VALUE (e.g. best=yes)");
                    return CommandLine.InvalidInput;
                }
                pairs.Add(new(pair[..equals].Trim(), pair[(equals + 1)..]));
            }
            var removals = result.GetValue(remove) ?? [];
            if (pairs.Count == 0 && removals.Length == 0)
            {
                Console.Error.WriteLine("error: nothing to do: give KEY=VALUE tags to set or --remove KEY");
                return CommandLine.InvalidInput;
            }
            using var store = OpenExisting(result);
            if (store is null || Find(store, result.GetValue(id)!) is not { } run) return CommandLine.InvalidInput;
            store.SetTags(run.Run.Id, pairs);
            int removed = store.RemoveTags(run.Run.Id, removals);
            foreach (var (key, value) in pairs) Console.WriteLine($"{run.Run.Id}: {key} = {value}");
            if (removals.Length > 0) Console.WriteLine($"{run.Run.Id}: removed {removed} of {removals.Length} tag{(removals.Length == 1 ? "" : "s")}");
            return 0;
        });
        return command;
    }

    private static Command Delete()
    {
        var ids = CommandLine.Ids(new Argument<string[]>("run-ids") { Description = "Run ids (unique prefixes are enough).", Arity = ArgumentArity.OneOrMore });
        var command = new Command("delete", "Hide runs from listings (soft delete: rows and files are kept; runs restore brings them back).") { ids };
        command.SetAction(result =>
        {
            using var store = OpenExisting(result);
            if (store is null) return CommandLine.InvalidInput;
            // All ids are checked before any run is deleted, so a typo deletes nothing.
            var runs = new List<RunDetails>();
            foreach (var id in result.GetValue(ids)!)
            {
                if (Find(store, id) is not { } run) return CommandLine.InvalidInput;
                runs.Add(run);
            }
            foreach (var run in runs.DistinctBy(r => r.Run.Id))
            {
                store.DeleteRun(run.Run.Id);
                Console.WriteLine($"deleted {run.Run.Id} ({run.Run.Name}); undo with: diffusion runs restore {run.Run.Id}");
            }
            return 0;
        });
        return command;
    }

    private static Command Restore()
    {
        var ids = CommandLine.Ids(new Argument<string[]>("run-ids") { Description = "Ids of deleted runs (unique prefixes are enough; runs list --deleted shows them).", Arity = ArgumentArity.OneOrMore });
        var command = new Command("restore", "Bring deleted runs back.") { ids };
        command.SetAction(result =>
        {
            using var store = OpenExisting(result);
            if (store is null) return CommandLine.InvalidInput;
            int code = 0;
            foreach (var id in result.GetValue(ids)!)
            {
                try
                {
                    Console.WriteLine($"restored {store.RestoreRun(id)}");
                }
                catch (RunNotFoundException)
                {
                    Console.Error.WriteLine($"error: no deleted run '{id}'; 'diffusion runs list --deleted' shows them");
                    code = CommandLine.InvalidInput;
                }
                catch (AmbiguousRunIdException e)
                {
                    Console.Error.WriteLine($"error: {e.Message}");
                    code = CommandLine.InvalidInput;
                }
            }
            return code;
        });
        return command;
    }
}
