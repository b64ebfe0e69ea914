using IkeSharp.Engine.Sa;
using IkeSharp.Protocol;

namespace IkeSharp.Engine.Tasks;

/// <summary>Outcome of a task's step.</summary>
internal enum TaskResult
{
    /// <summary>This task's part of the exchange is complete.</summary>
    Done,
    /// <summary>The exchange must be sent again with this task's new contribution (COOKIE, INVALID_KE_PAYLOAD).</summary>
    Retry,
    /// <summary>The task failed; <see cref="IkeTask.Error"/> says why and with which scope.</summary>
    Failed,
    /// <summary>The task waits for the datapath to install its Child SA (<see cref="IkeTask.AwaitedInstall"/>); the exchange waits with it.</summary>
    Pending,
}

/// <summary>
/// One concern of an exchange (key exchange, authentication, a Child SA, a delete...), in the
/// style of strongSwan's tasks. The role is fixed at construction: an initiator task builds the
/// request and processes the response; a responder task processes the request and builds the response.
/// </summary>
internal abstract class IkeTask(IkeSa sa, bool initiator)
{
    protected IkeSa Sa { get; } = sa;

    public bool Initiator { get; } = initiator;

    public abstract ExchangeType Exchange { get; }

    public IkeError? Error { get; protected set; }

    /// <summary>What a failure of this task concerns, for the log ("CREATE_CHILD_SA (Child SA) failed").</summary>
    public virtual string Concern => "Child SA";

    /// <summary>Initiator: add to the request. Responder: add to the response (after <see cref="Process"/>).</summary>
    public abstract void Build(MessageBuilder message);

    /// <summary>Initiator: handle the response. Responder: handle the request.</summary>
    public abstract TaskResult Process(IkeMessage message);

    /// <summary>The inbound SPI of the Child SA whose install this task waits for after returning <see cref="TaskResult.Pending"/>.</summary>
    public uint AwaitedInstall { get; protected set; }

    /// <summary>The datapath's answer for <see cref="AwaitedInstall"/>: <see cref="TaskResult.Done"/> or <see cref="TaskResult.Failed"/>.</summary>
    public virtual TaskResult CompleteInstall(ChildSaInstallResult result) => throw new InvalidOperationException($"{GetType().Name} installs nothing");

    /// <summary>Called when the exchange will not complete (peer unreachable, IKE SA failed).</summary>
    public virtual void Abort()
    {
    }

    /// <summary>Initiator: what this queued task was for is gone (a pair to rekey that was replaced or is being closed); it is dropped unsent.</summary>
    public virtual bool Obsolete => false;

    /// <summary>Responder: the response this task helped build is sent.</summary>
    public virtual void Answered()
    {
    }

    /// <summary>
    /// The IKE SA was rekeyed before this queued task started: the same task for <paramref name="successor"/>,
    /// or null when it has no point there (it is then aborted).
    /// </summary>
    public virtual IkeTask? MoveTo(IkeSa successor) => null;

    protected TaskResult Fail(IkeError error)
    {
        Error = error;
        return TaskResult.Failed;
    }

    /// <summary>The first error notify in a response, as a failure of this task's scope.</summary>
    protected static NotifyPayload? FirstErrorNotify(IkeMessage message)
        => message.FindAll<NotifyPayload>().FirstOrDefault(n => n.NotifyType.IsError());
}

/// <summary>
/// A task whose two roles are written apart, as strongSwan's build_i/process_i/process_r/build_r:
/// the initiator builds the request and processes the response, the responder the other way round.
/// </summary>
internal abstract class SplitRoleTask(IkeSa sa, bool initiator) : IkeTask(sa, initiator)
{
    public sealed override void Build(MessageBuilder message)
    {
        if (Initiator)
        {
            BuildRequest(message);
        }
        else
        {
            BuildResponse(message);
        }
    }

    public sealed override TaskResult Process(IkeMessage message) => Initiator ? ProcessResponse(message) : ProcessRequest(message);

    protected abstract void BuildRequest(MessageBuilder message);

    protected abstract TaskResult ProcessResponse(IkeMessage response);

    protected abstract TaskResult ProcessRequest(IkeMessage request);

    protected abstract void BuildResponse(MessageBuilder message);
}
