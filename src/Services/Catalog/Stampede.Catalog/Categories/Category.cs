using System.Text;
using Stampede.Catalog.Validation;

namespace Stampede.Catalog.Categories;

/// <summary>A category as written or read on its own.</summary>
public sealed record CategoryView(Guid Id, Guid? ParentId, string Name, string Slug);

/// <summary>A category with its sub-categories, as <c>GET /categories</c> answers the tree.</summary>
public sealed record CategoryNode(Guid Id, Guid? ParentId, string Name, string Slug, IReadOnlyList<CategoryNode> Children);

/// <summary>What an admin sends to create or change a category. Without a slug one is made from the name.</summary>
public sealed record CategoryRequest(string? Name, string? Slug, Guid? ParentId);

public static class CategoryRules
{
    public const int MaxNameLength = 100;
    public const int MaxSlugLength = 100;

    /// <summary>Category writes take this transaction lock, so two concurrent re-parentings can
    /// never close a cycle that each alone would not.</summary>
    public const long TreeLock = 0x4341_5454_5245_45; // "CATTREE"

    /// <summary>Validates the request; returns the name and slug to store.</summary>
    public static (string Name, string Slug) Validate(CategoryRequest request, Guid id, FieldErrors errors)
    {
        errors.Add("name", TextRules.Required(request.Name, "name", MaxNameLength, out var name));
        string slug;
        if (string.IsNullOrWhiteSpace(request.Slug))
        {
            slug = SlugOf(name);
            if (slug.Length == 0) slug = "category-" + id.ToString("N")[^8..];
        }
        else
        {
            slug = request.Slug.Trim();
            if (slug.Length > MaxSlugLength || !IsSlug(slug))
                errors.Add("slug", $"A slug is 1 to {MaxSlugLength} lower-case letters, digits and single hyphens (e.g. 'running-shoes').");
        }
        if (request.ParentId == Guid.Empty) errors.Add("parentId", "The parent id must not be the empty UUID.");
        return (name, slug);
    }

    private static bool IsSlug(string slug) =>
        slug.Length > 0 && slug[0] != '-' && slug[^1] != '-' && !slug.Contains("--", StringComparison.Ordinal)
        && slug.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    // "Running Shoes & Socks" -> "running-shoes-socks"
    private static string SlugOf(string name)
    {
        var slug = new StringBuilder();
        foreach (var c in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)) slug.Append(c);
            else if (slug.Length > 0 && slug[^1] != '-') slug.Append('-');
            if (slug.Length >= MaxSlugLength) break;
        }
        return slug.ToString().Trim('-');
    }
}
