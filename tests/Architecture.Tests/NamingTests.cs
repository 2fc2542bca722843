using System.Reflection;
using System.Text.RegularExpressions;
using Shouldly;
using Stampede.Contracts;

namespace Stampede.Architecture.Tests;

public partial class NamingTests
{
    private static readonly Type[] Events = typeof(IntegrationEvent).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(IntegrationEvent)) && !t.IsAbstract).ToArray();

    [Fact]
    public void Contracts_hold_events() => Events.ShouldNotBeEmpty();

    [Fact]
    public void Every_event_is_a_sealed_record_with_a_versioned_name()
    {
        foreach (var type in Events)
        {
            type.IsSealed.ShouldBeTrue($"{type.Name} should be sealed");
            var name = type.GetCustomAttribute<EventNameAttribute>()?.Name;
            name.ShouldNotBeNull($"{type.Name} has no [EventName]");
            EventName().IsMatch(name).ShouldBeTrue($"{type.Name}: '{name}' is not service.event-name.vN");
        }
    }

    [Fact]
    public void Event_names_are_unique() =>
        Events.Select(t => t.GetCustomAttribute<EventNameAttribute>()?.Name).GroupBy(n => n).Where(g => g.Count() > 1)
            .Select(g => g.Key).ShouldBeEmpty();

    [Fact]
    public void Events_are_named_in_the_past_tense_not_as_commands()
    {
        foreach (var type in Events)
            type.Name.ShouldNotEndWith("Command");
    }

    [Fact]
    public void No_source_file_names_a_vague_type()
    {
        var vague = Directory.EnumerateFiles(Path.Combine(RepositoryLayout.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/"))
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .Where(n => VagueName().IsMatch(n))
            .ToList();
        vague.ShouldBeEmpty("name types after what they do, not Manager/Helper/Util");
    }

    [Fact]
    public void Every_service_program_stays_short()
    {
        foreach (var program in Directory.EnumerateFiles(Path.Combine(RepositoryLayout.Root, "src/Services"), "Program.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains("/obj/")))
            File.ReadAllLines(program).Count(l => l.Trim().Length > 0).ShouldBeLessThanOrEqualTo(25, RepositoryLayout.Relative(program));
    }

    [GeneratedRegex(@"^[a-z]+(-[a-z]+)*\.[a-z]+(-[a-z]+)*\.v[0-9]+$")]
    private static partial Regex EventName();

    [GeneratedRegex(@"(Manager|Helper|Helpers|Util|Utils|Utilities)$")]
    private static partial Regex VagueName();
}
