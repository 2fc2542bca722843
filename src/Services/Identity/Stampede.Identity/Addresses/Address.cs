using System.Collections.Frozen;
using Stampede.Identity.Validation;

namespace Stampede.Identity.Addresses;

/// <summary>A shipping address as the API shows it.</summary>
public sealed record Address(
    Guid Id, string Recipient, string Phone, string Line1, string? Line2, string City, string PostalCode, string Country,
    bool IsDefault, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public const string Columns = "id, recipient, phone, line1, line2, city, postal_code, country, is_default, created_at, updated_at";
}

/// <summary>The body of adding or replacing an address. <c>isDefault: true</c> makes it the default;
/// false or absent leaves the default where it is (the first address is always the default).</summary>
public sealed record AddressRequest(
    string? Recipient, string? Phone, string? Line1, string? Line2, string? City, string? PostalCode, string? Country, bool? IsDefault);

/// <summary>An address that passed validation, trimmed and normalised, ready to store.</summary>
public sealed record ValidAddress(string Recipient, string Phone, string Line1, string? Line2, string City, string PostalCode, string Country)
{
    public static FieldErrors Check(AddressRequest request, out ValidAddress address)
    {
        var errors = new FieldErrors()
            .Add("recipient", TextRules.Required(request.Recipient, "recipient", 100, out var recipient))
            .Add("phone", TextRules.Required(request.Phone, "phone", 20, out var phone))
            .Add("line1", TextRules.Required(request.Line1, "first address line", 200, out var line1))
            .Add("line2", TextRules.Optional(request.Line2, "second address line", 200, out var line2))
            .Add("city", TextRules.Required(request.City, "city", 100, out var city))
            .Add("postalCode", TextRules.Required(request.PostalCode, "postal code", 16, out var postalCode))
            .Add("country", TextRules.Required(request.Country, "country", 2, out var country));
        country = country.ToUpperInvariant();
        if (phone.Length > 0 && !IsPhone(phone))
            errors.Add("phone", "The phone number may hold digits, spaces, + - ( ) and needs 5 to 15 digits.");
        if (postalCode.Length > 0 && !postalCode.All(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '-'))
            errors.Add("postalCode", "The postal code may hold only letters, digits, spaces and hyphens.");
        if (country.Length > 0 && !Countries.Contains(country))
            errors.Add("country", "The country must be an ISO 3166-1 alpha-2 code such as KR or US.");
        address = new ValidAddress(recipient, phone, line1, line2, city, postalCode, country);
        return errors;
    }

    private static bool IsPhone(string phone) =>
        phone.All(c => char.IsAsciiDigit(c) || c is ' ' or '+' or '-' or '(' or ')')
        && phone.Count(char.IsAsciiDigit) is >= 5 and <= 15;

    private static readonly FrozenSet<string> Countries = """
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
        CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
        GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO
        JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR
        MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO
        RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV
        TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
        """.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(StringComparer.Ordinal);
}
