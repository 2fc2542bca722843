using System.Data;
using Dapper;

namespace Stampede.ServiceDefaults.Persistence;

/// <summary>How Dapper maps every service's rows onto positional records: snake_case columns to
/// PascalCase members, <c>timestamptz</c> (which Npgsql reads as a UTC <see cref="DateTime"/>) to
/// <see cref="DateTimeOffset"/>, and <c>text[]</c> to <c>string[]</c> (Dapper's constructor
/// matching needs a handler to accept it).</summary>
public static class DapperConventions
{
    private static int applied;

    public static void Apply()
    {
        if (Interlocked.Exchange(ref applied, 1) == 1) return;
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.AddTypeHandler(new UtcDateTimeOffsetHandler());
        SqlMapper.AddTypeHandler(new TextArrayHandler());
    }

    private sealed class UtcDateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value) => parameter.Value = value.ToUniversalTime();

        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTimeOffset offset => offset,
            DateTime dateTime => new DateTimeOffset(DateTime.SpecifyKind(dateTime, DateTimeKind.Utc)),
            _ => throw new DataException($"Cannot read {value.GetType().Name} as a DateTimeOffset."),
        };
    }

    private sealed class TextArrayHandler : SqlMapper.TypeHandler<string[]>
    {
        public override void SetValue(IDbDataParameter parameter, string[]? value) => parameter.Value = (object?)value ?? DBNull.Value;

        public override string[] Parse(object value) => (string[])value;
    }
}
