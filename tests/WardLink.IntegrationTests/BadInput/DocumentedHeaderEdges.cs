using System.Text.RegularExpressions;
using WardLink.Tips;
using static WardLink.IntegrationTests.BadInput.JsonBodies;

namespace WardLink.IntegrationTests.BadInput;

/// <summary>Every header an operation's document declares is held to its declared bounds, as its path, query and body are.</summary>
public abstract partial class BadInputSuite<TEntryPoint>
{
    private static readonly char[] OutsideCharacters = ['!', ' ', '.', '~', '*'];

    /// <summary>
    /// Walks every header parameter of every operation the service describes (an <c>Idempotency-Key</c>, a follow-up
    /// secret, an <c>If-Match</c>, …), sent with the operation's sample body: one past its maximum length, one short of its
    /// minimum, one of characters its pattern does not take. Each is a 400 problem naming the header that stores nothing (the
    /// follow-up secret's the 404 of any wrong secret, docs/security.md), never a 2xx or a 5xx.
    /// </summary>
    [Fact]
    public async Task A_header_outside_its_documented_bounds_is_a_4xx_problem_and_stores_nothing()
    {
        var failures = new List<string>();
        var sent = 0;
        foreach (var operation in await DescribedOperation.AllAsync(_client, Ct))
        {
            foreach (var parameter in PathParameter.ParametersIn(operation.Description, "header"))
            {
                var name = (string)parameter["name"]!;
                var schema = BodySchema.Resolve(parameter["schema"]!.AsObject(), operation.Components);
                foreach (var (value, told, notTold) in OutsideItsBounds(schema))
                {
                    sent++;
                    var answer = await SendAsync(
                        operation.Method,
                        PathParameter.Fill(operation.Template, PathParameter.Of(operation.Description)),
                        operation.Body is { } body ? Json(body.Sample()!.ToJsonString()) : null,
                        header: (name, value));
                    // A 400 naming the header, as for any value past its documented bounds (an If-Match on a record that
                    // does not exist too: its form is judged first; an Idempotency-Key on a follow-up too, whatever its code);
                    // the follow-up secret's is a wrong secret, the same 404.
                    var wrongSecret = string.Equals(name, FollowUp.SecretHeader, StringComparison.OrdinalIgnoreCase);
                    failures.AddRange(RefusalFailures($"{operation.Method} {operation.Template}", $"{name}: {Shortened(value)}", answer, field: wrongSecret ? null : name, status: wrongSecret ? 404 : 400));
                    if (!wrongSecret && answer.Status == 400 && (!answer.Body.Contains(told, StringComparison.OrdinalIgnoreCase) || answer.Body.Contains(notTold, StringComparison.OrdinalIgnoreCase)))
                    {
                        // Told which bound it broke: a key of a wrong character is not told its length.
                        failures.Add($"{operation.Method} {operation.Template}, {name}: {Shortened(value)}: not told \"{told}\" alone ({Shortened(answer.Body)})");
                    }
                }
            }
        }

        Assert.True(sent > 0, "No documented header to try.");
        AssertNone(failures);
    }

    /// <summary>Values outside <paramref name="schema"/>'s bounds, each with what its refusal tells (the bound it breaks) and does not (one it keeps).</summary>
    private static IEnumerable<(string Value, string Told, string NotTold)> OutsideItsBounds(BodySchema schema)
    {
        if (schema.MaxLength is { } longest)
        {
            yield return (new string('a', longest + 1), $"at most {longest} characters", "pattern");
        }

        if (schema.MinLength is > 1 and var shortest)
        {
            yield return (new string('a', shortest - 1), $"At least {shortest}", "pattern");
        }

        // Of a length it takes, of characters it does not: the first of these its pattern refuses (a space inside, as
        // a header's own spaces at either end are not its value's).
        var length = Math.Max(schema.MinLength ?? 0, 3);
        if (schema.Pattern is { } pattern
            && OutsideCharacters.Select(character => $"a{new string(character, length - 2)}a").FirstOrDefault(value => !Regex.IsMatch(value, pattern)) is { } refused)
        {
            yield return (refused, "pattern", "characters.");
        }
    }
}
