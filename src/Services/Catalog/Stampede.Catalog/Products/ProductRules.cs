using Stampede.Catalog.Validation;

namespace Stampede.Catalog.Products;

/// <summary>The limits a product and its SKUs must respect, checked field by field so a 400 names
/// every field to correct.</summary>
public static class ProductRules
{
    public const int MaxNameLength = 200;
    public const int MaxDescriptionLength = 5000;
    public const long MaxPrice = 100_000_000;
    public const int MaxSkus = 200;
    public const int MaxImageUrls = 20;
    public const int MaxImageUrlLength = 2048;
    public const int MaxOptions = 5;
    public const int MaxOptionValues = 50;
    public const int MaxOptionTextLength = 50;

    public static string? Price(long? price) => price switch
    {
        null => "The price is required.",
        <= 0 => "The price must be greater than 0.",
        > MaxPrice => $"The price must be at most {MaxPrice}.",
        _ => null,
    };

    public static string? Popularity(long? popularity) =>
        popularity is < 0 ? "The popularity must not be negative." : null;

    /// <summary>Checks a product status; <paramref name="normalized"/> is the lower-case value.</summary>
    public static string? Status(string? status, out string normalized)
    {
        normalized = status?.Trim().ToLowerInvariant() ?? "";
        return ProductStatus.All.Contains(normalized) ? null : $"The status must be one of: {string.Join(", ", ProductStatus.All)}.";
    }

    public static string? SkuStatusOf(string? status, out string normalized)
    {
        normalized = status?.Trim().ToLowerInvariant() ?? "";
        return SkuStatus.All.Contains(normalized) ? null : $"The status must be one of: {string.Join(", ", SkuStatus.All)}.";
    }

    /// <summary>Checks image URLs (absolute http(s), at most <see cref="MaxImageUrls"/>) and returns
    /// the ones to store.</summary>
    public static IReadOnlyList<string> ImageUrls(FieldErrors errors, IReadOnlyList<string?>? urls)
    {
        if (urls is null) return [];
        if (urls.Count > MaxImageUrls)
        {
            errors.Add("imageUrls", $"At most {MaxImageUrls} image URLs are allowed.");
            return [];
        }
        var valid = new List<string>();
        for (var i = 0; i < urls.Count; i++)
        {
            var url = urls[i]?.Trim();
            if (string.IsNullOrEmpty(url) || url.Length > MaxImageUrlLength
                || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
                || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            {
                errors.Add($"imageUrls[{i}]", $"An image URL must be an absolute http(s) URL of at most {MaxImageUrlLength} characters.");
                continue;
            }
            valid.Add(uri.AbsoluteUri);
        }
        return valid;
    }

    /// <summary>Checks the options (names unique, values unique within their option) and returns
    /// them trimmed.</summary>
    public static IReadOnlyList<ProductOption> Options(FieldErrors errors, IReadOnlyList<OptionInput?>? options)
    {
        if (options is null) return [];
        if (options.Count > MaxOptions)
        {
            errors.Add("options", $"A product has at most {MaxOptions} options.");
            return [];
        }
        var valid = new List<ProductOption>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Count; i++)
        {
            var option = options[i];
            if (option is null)
            {
                errors.Add($"options[{i}]", "The option is required.");
                continue;
            }
            var nameError = TextRules.Required(option.Name, "option name", MaxOptionTextLength, out var name);
            errors.Add($"options[{i}].name", nameError);
            if (nameError is null && !names.Add(name)) errors.Add($"options[{i}].name", $"The option '{name}' appears twice.");

            var values = new List<string>();
            if (option.Values is not { Count: > 0 })
                errors.Add($"options[{i}].values", "An option needs at least one value.");
            else if (option.Values.Count > MaxOptionValues)
                errors.Add($"options[{i}].values", $"An option has at most {MaxOptionValues} values.");
            else
            {
                var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                for (var j = 0; j < option.Values.Count; j++)
                {
                    var valueError = TextRules.Required(option.Values[j], "option value", MaxOptionTextLength, out var value);
                    errors.Add($"options[{i}].values[{j}]", valueError);
                    if (valueError is not null) continue;
                    if (!seen.Add(value)) errors.Add($"options[{i}].values[{j}]", $"The value '{value}' appears twice.");
                    else values.Add(value);
                }
            }
            valid.Add(new ProductOption(name, values));
        }
        return valid;
    }

    /// <summary>The SKUs of a new product: the listed ones, checked against the options, or one per
    /// combination of option values at <paramref name="price"/>.</summary>
    public static IReadOnlyList<NewSku> Skus(FieldErrors errors, IReadOnlyList<ProductOption> options,
        IReadOnlyList<SkuInput?>? skus, long? price)
    {
        if (skus is { Count: > 0 })
        {
            if (price is not null) errors.Add("price", "Give either skus or one price for generated SKUs, not both.");
            return Listed(errors, options, skus);
        }
        errors.Add("price", price is null ? "Give a price for the generated SKUs, or list skus." : Price(price));
        var combinations = options.Aggregate(1L, (count, option) => count * Math.Max(1, option.Values.Count));
        if (combinations > MaxSkus)
        {
            errors.Add("options", $"These options make {combinations} combinations; a product has at most {MaxSkus} SKUs.");
            return [];
        }
        return [.. Combinations(options).Select(values => new NewSku(Guid.CreateVersion7(), values, price ?? 0, SkuStatus.Active))];
    }

    /// <summary>Every combination of option values, in option order: [[red, S], [red, M], [blue, S], ...].
    /// A product without options has one empty combination.</summary>
    public static IEnumerable<IReadOnlyList<string>> Combinations(IReadOnlyList<ProductOption> options)
    {
        IEnumerable<IReadOnlyList<string>> combinations = [[]];
        foreach (var option in options)
            combinations = combinations.SelectMany(prefix => option.Values.Select(value => (IReadOnlyList<string>)[.. prefix, value]));
        return combinations;
    }

    private static List<NewSku> Listed(FieldErrors errors, IReadOnlyList<ProductOption> options, IReadOnlyList<SkuInput?> skus)
    {
        if (skus.Count > MaxSkus)
        {
            errors.Add("skus", $"A product has at most {MaxSkus} SKUs.");
            return [];
        }
        var result = new List<NewSku>();
        var combinations = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < skus.Count; i++)
        {
            var sku = skus[i];
            if (sku is null)
            {
                errors.Add($"skus[{i}]", "The SKU is required.");
                continue;
            }
            errors.Add($"skus[{i}].price", Price(sku.Price));
            var status = SkuStatus.Active;
            if (sku.Status is not null) errors.Add($"skus[{i}].status", SkuStatusOf(sku.Status, out status));

            var given = sku.Options ?? new Dictionary<string, string?>();
            var values = new List<string>();
            string? optionsError = null;
            foreach (var option in options)
            {
                var match = given.FirstOrDefault(pair => string.Equals(pair.Key.Trim(), option.Name, StringComparison.OrdinalIgnoreCase));
                var value = match.Key is null ? null : option.Values.FirstOrDefault(v => string.Equals(v, match.Value?.Trim(), StringComparison.OrdinalIgnoreCase));
                if (match.Key is null) optionsError ??= $"A value for the option '{option.Name}' is required.";
                else if (value is null) optionsError ??= $"'{match.Value}' is not a value of the option '{option.Name}'.";
                else values.Add(value);
            }
            if (given.Count > options.Count || given.Keys.Any(key => !options.Any(o => string.Equals(o.Name, key.Trim(), StringComparison.OrdinalIgnoreCase))))
                optionsError ??= "The SKU names an option the product does not have.";
            if (optionsError is null && !combinations.Add(string.Join('\u001f', values)))
                optionsError = "Another SKU has the same option values.";
            errors.Add($"skus[{i}].options", optionsError);
            result.Add(new NewSku(Guid.CreateVersion7(), values, sku.Price ?? 0, status));
        }
        return result;
    }
}

/// <summary>An option as an admin sends it: <c>{"name": "color", "values": ["red", "blue"]}</c>.</summary>
public sealed record OptionInput(string? Name, IReadOnlyList<string?>? Values);

/// <summary>A SKU as an admin sends it: its option values by option name, its price and status.</summary>
public sealed record SkuInput(Dictionary<string, string?>? Options, long? Price, string? Status);
