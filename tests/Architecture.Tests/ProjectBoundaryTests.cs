using Shouldly;

namespace Stampede.Architecture.Tests;

public class ProjectBoundaryTests
{
    public static TheoryData<string> ServiceProjects() => [.. RepositoryLayout.ProjectsUnder("src/Services").Select(RepositoryLayout.Relative)];
    public static TheoryData<string> BuildingBlockProjects() => [.. RepositoryLayout.ProjectsUnder("src/BuildingBlocks").Select(RepositoryLayout.Relative)];

    [Fact]
    public void There_are_services_to_check() =>
        RepositoryLayout.ProjectsUnder("src/Services").Count().ShouldBeGreaterThanOrEqualTo(2);

    [Theory]
    [MemberData(nameof(ServiceProjects))]
    public void A_service_references_only_building_blocks_and_contracts(string project)
    {
        var references = RepositoryLayout.ProjectReferences(Path.Combine(RepositoryLayout.Root, project));
        references.Where(r => !r.StartsWith("src/BuildingBlocks/", StringComparison.Ordinal) && !r.StartsWith("src/Contracts/", StringComparison.Ordinal))
            .ShouldBeEmpty($"{project} may reference only src/BuildingBlocks and src/Contracts");
    }

    [Theory]
    [MemberData(nameof(BuildingBlockProjects))]
    public void A_building_block_references_no_service(string project)
    {
        var references = RepositoryLayout.ProjectReferences(Path.Combine(RepositoryLayout.Root, project));
        references.Where(r => r.StartsWith("src/Services/", StringComparison.Ordinal) || r.StartsWith("src/Tools/", StringComparison.Ordinal) || r.StartsWith("src/Simulators/", StringComparison.Ordinal))
            .ShouldBeEmpty($"{project} is shared plumbing and must not depend on a service");
    }

    [Fact]
    public void Contracts_reference_nothing()
    {
        foreach (var project in RepositoryLayout.ProjectsUnder("src/Contracts"))
        {
            RepositoryLayout.ProjectReferences(project).ShouldBeEmpty();
            RepositoryLayout.PackageReferences(project).ShouldBeEmpty();
        }
    }

    [Fact]
    public void Simulators_stand_alone()
    {
        foreach (var project in RepositoryLayout.ProjectsUnder("src/Simulators"))
            RepositoryLayout.ProjectReferences(project).Where(r => r.StartsWith("src/Services/", StringComparison.Ordinal)).ShouldBeEmpty();
    }

    [Fact]
    public void Package_versions_are_pinned_centrally()
    {
        foreach (var project in RepositoryLayout.ProjectsUnder("src").Concat(RepositoryLayout.ProjectsUnder("tests")))
            System.Xml.Linq.XDocument.Load(project).Descendants("PackageReference")
                .Where(e => e.Attribute("Version") is not null)
                .ShouldBeEmpty($"{RepositoryLayout.Relative(project)} sets a version; pin it in Directory.Packages.props");
    }
}
