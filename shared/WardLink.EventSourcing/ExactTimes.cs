using System.Diagnostics.CodeAnalysis;
using System.Linq.Expressions;
using System.Reflection;
using Marten;
using Marten.Linq.Members;
using Marten.Linq.SqlGeneration.Filters;
using NpgsqlTypes;
using Weasel.Core;
using Weasel.Postgresql;
using Weasel.Postgresql.Functions;
using Weasel.Postgresql.SqlGeneration;

namespace WardLink.EventSourcing;

/// <summary>
/// Times compared, ordered and indexed in PostgreSQL to the tick (100 ns), as the API states them (seconds to 7 decimals).
/// A timestamptz keeps microseconds: the text of a stored time cast to one is rounded (<c>…59.9999999+07:00</c> is the next
/// year's first instant), and a time Npgsql sends as one is cut towards 2000-01-01 (before 2000, up). So a query of the store
/// (Marten LINQ) reads every <see cref="DateTimeOffset"/> of a document as its UTC ticks, from its JSON text
/// (<see cref="Function"/>), and compares it with a bound's ticks; an index of a time (<c>Index(row =&gt; row.At)</c>,
/// <see cref="Wards.WardIndexedTimeAttribute"/>) indexes the same expression, so it is read from what every row stored,
/// whichever version wrote it. What PostgreSQL itself keeps in microseconds (an event's recorded time) is compared with a
/// bound rounded to the microsecond on the side that keeps the comparison exact (<see cref="CeilingMicrosecond"/>,
/// <see cref="FloorMicrosecond"/>).
/// </summary>
public static class ExactTimes
{
    /// <summary>The function that reads a time's text (ISO 8601 with its offset, as JSON writes it) as its UTC ticks, in the store's schema.</summary>
    public const string Function = "wardlink_ticks";

    /// <summary>Queries of the store read every time of a document to the tick (see <see cref="ExactTimes"/>).</summary>
    public static void UseExactTimes(this StoreOptions options)
    {
        var schema = options.DatabaseSchemaName;

        // The seconds of the text without its decimals (a cast of which is exact), in ticks, plus its decimals as ticks. The text
        // always has its offset (how JSON writes a DateTimeOffset), so the cast depends on no setting: the function is immutable,
        // as an index needs (Marten's mt_immutable_timestamptz is the same cast). Written as pg_get_functiondef shows it, so the
        // schema check on start finds it unchanged: a body that differed would be dropped and made again, which the indexes on
        // it refuse (a new body takes a new name).
        options.Storage.ExtendedSchemaObjects.Add(new Function(
            new PostgresqlObjectName(schema, Function, SchemaUtils.IdentifierUsage.General),
            $"""
            CREATE OR REPLACE FUNCTION {schema}.{Function}(value text)
             RETURNS bigint
             LANGUAGE sql
             IMMUTABLE PARALLEL SAFE
            AS $function$
            select (extract(epoch from regexp_replace(value, '[.][0-9]+', '')::timestamptz)::bigint * {TimeSpan.TicksPerSecond}
                + coalesce(rpad(substring(value from '[.]([0-9]+)'), 7, '0')::bigint, 0) + {DateTimeOffset.UnixEpoch.UtcTicks})
            $function$;
            """));
        options.Linq.MemberSources.Add(new ExactTimeMembers());
    }

    /// <summary>
    /// The first whole microsecond at or after <paramref name="at"/>: for a time PostgreSQL keeps in whole microseconds, <c>t</c>,
    /// <c>t &gt;= at</c> exactly when <c>t &gt;= </c> this, and <c>t &lt; at</c> exactly when <c>t &lt; </c> this (what Npgsql sends as is).
    /// </summary>
    public static DateTimeOffset CeilingMicrosecond(DateTimeOffset at)
    {
        var under = at.UtcTicks % TimeSpan.TicksPerMicrosecond;
        return new DateTimeOffset(at.UtcTicks - under + (under == 0 ? 0 : TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
    }

    /// <summary>The last whole microsecond at or before <paramref name="at"/>: for a time PostgreSQL keeps in whole microseconds, <c>t</c>, <c>t &lt;= at</c> exactly when <c>t &lt;= </c> this.</summary>
    public static DateTimeOffset FloorMicrosecond(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);

    /// <summary>Every <see cref="DateTimeOffset"/> of a document, nullable or not, read as an <see cref="ExactTimeMember"/>.</summary>
    private sealed class ExactTimeMembers : IMemberSource
    {
        public bool TryResolve(IQueryableMember parent, StoreOptions options, MemberInfo memberInfo, Type memberType, [NotNullWhen(true)] out IQueryableMember? member)
        {
            member = memberType == typeof(DateTimeOffset) || memberType == typeof(DateTimeOffset?)
                ? new ExactTimeMember(options.DatabaseSchemaName, parent, options.Serializer().Casing, memberInfo)
                : null;
            return member is not null;
        }
    }

    /// <summary>A time of a document as its UTC ticks (<see cref="Function"/> of its text), compared with a bound's ticks; ordered and indexed by them too.</summary>
    private sealed class ExactTimeMember : QueryableMember, IComparableMember
    {
        public ExactTimeMember(string schema, IQueryableMember parent, Casing casing, MemberInfo member)
            : base(parent, casing, member)
        {
            TypedLocator = $"{schema}.{Function}({RawLocator})";
        }

        public override ISqlFragment CreateComparison(string op, ConstantExpression constant) => constant.Value switch
        {
            null => op == "=" ? new IsNullFilter(this) : new IsNotNullFilter(this),
            DateTimeOffset at => new MemberComparisonFilter(this, new CommandParameter(at.UtcTicks, NpgsqlDbType.Bigint), op),
            var other => throw new NotSupportedException($"A time compared with {other.GetType().Name}, not a DateTimeOffset."),
        };
    }
}
