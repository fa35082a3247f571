using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using WardLink.ServiceDefaults.Security;

namespace WardLink.ServiceDefaults;

/// <summary>
/// How a service shows each of its stream states: the one place a state becomes something a
/// client reads. The shared stream endpoints (<c>StreamResults</c>, <c>StreamSteps</c> of the event store)
/// answer with the caller's view of the state they wrote or read, never the state itself, when its
/// type has views; the API documents name the police view. A state without views that is <see cref="KeptInWard"/> is shown to
/// the police with the ward <paramref name="wardOf"/> finds for the request (a request on a record acts in the record's ward).
/// </summary>
public sealed class StateViews(Func<HttpContext, string> wardOf)
{
    private readonly Dictionary<Type, (Type Police, Func<object, HttpContext, object> Show)> _views = [];

    /// <summary>
    /// Shows <typeparamref name="TState"/> to the police as <paramref name="police"/>, and to every
    /// other audience as <paramref name="narrowest"/> (a partner's view: only what it names).
    /// </summary>
    public StateViews Add<TState, TPoliceView>(Func<TState, TPoliceView> police, Func<TState, object> narrowest)
        where TState : class
        where TPoliceView : notnull
    {
        _views[typeof(TState)] = (typeof(TPoliceView), (state, http) => http.Audience() == Audience.Police ? police((TState)state) : narrowest((TState)state));
        return this;
    }

    /// <summary>
    /// Shows <typeparamref name="TState"/> to the police only, as <paramref name="police"/> makes it of the
    /// state and the request (what the request's services know of the record, such as the name of its
    /// ward); to any other audience it fails closed, as a state without views does.
    /// </summary>
    public StateViews AddPoliceOnly<TState, TPoliceView>(Func<TState, HttpContext, TPoliceView> police)
        where TState : class
        where TPoliceView : notnull
    {
        _views[typeof(TState)] = (typeof(TPoliceView), (state, http) => http.Audience() == Audience.Police ? police((TState)state, http) : Refuse<TState>(http.Audience()));
        return this;
    }

    /// <summary>
    /// <paramref name="state"/> as the caller of <paramref name="http"/> may see it. A state without views is
    /// police-only (patrols, the linkage's records) and shown whole to the police; opening such a
    /// read to anyone else without first giving the state its views fails closed.
    /// </summary>
    public object Show<TState>(TState state, HttpContext http)
        where TState : class =>
        _views.TryGetValue(typeof(TState), out var view) ? view.Show(state, http)
        : http.Audience() != Audience.Police ? Refuse<TState>(http.Audience())
        : state is KeptInWard kept ? kept with { Ward = wardOf(http) }
        : state;

    private static object Refuse<TState>(Audience audience) =>
        throw new InvalidOperationException($"{typeof(TState).Name} has no view for the {audience} audience: add one to the service's StateViews before opening the read.");

    /// <summary>The type an API document names for <typeparamref name="TState"/>'s answers.</summary>
    public Type DocumentedType<TState>() => _views.TryGetValue(typeof(TState), out var view) ? view.Police : typeof(TState);
}

public static class StateViewResults
{
    /// <summary>The caller's view of <paramref name="state"/> (see <see cref="StateViews"/>).</summary>
    public static object ViewOf<TState>(this HttpContext http, TState state)
        where TState : class =>
        http.RequestServices.GetRequiredService<StateViews>().Show(state, http);
}
