using System.Net;
using Microsoft.Extensions.Logging;

namespace IkeSharp.Engine;

/// <summary>
/// Every event the engine logs, source-generated. Messages read like strongSwan's so an operator
/// can lay both logs side by side; structured properties (Tunnel, IkeSa, Peer, MessageId) come
/// from the scope each IKE SA opens. Key material is never an argument here.
/// </summary>
internal static partial class EngineLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "sending {Summary} to {Peer} ({Length} bytes)")]
    public static partial void MessageSent(ILogger logger, string summary, IPEndPoint peer, int length);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "received {Summary} from {Peer} ({Length} bytes)")]
    public static partial void MessageReceived(ILogger logger, string summary, IPEndPoint peer, int length);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "retransmit {Attempt} of {Summary} to {Peer}")]
    public static partial void Retransmit(ILogger logger, int attempt, string summary, IPEndPoint peer);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "selected proposal: {Proposal}")]
    public static partial void ProposalSelected(ILogger logger, string proposal);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "{Exchange} failed: {Reason}")]
    public static partial void ExchangeFailed(ILogger logger, string exchange, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "IKE SA {State}: {Detail}")]
    public static partial void IkeSaState(ILogger logger, string state, string detail);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "CHILD_SA {Child} established with SPIs {InboundSpi}_i {OutboundSpi}_o and TS {LocalTs} === {RemoteTs} ({Proposal})")]
    public static partial void ChildEstablished(ILogger logger, string child, string inboundSpi, string outboundSpi, string localTs, string remoteTs, string proposal);

    [LoggerMessage(EventId = 8, Level = LogLevel.Debug, Message = "dropped datagram from {Peer}: {Reason}")]
    public static partial void Dropped(ILogger logger, IPEndPoint peer, string reason);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "NAT detection: {Detail}")]
    public static partial void NatDetected(ILogger logger, string detail);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "CHILD_SA {Child} with SPIs {InboundSpi}_i {OutboundSpi}_o deleted: {Reason}")]
    public static partial void ChildDeleted(ILogger logger, string child, string inboundSpi, string outboundSpi, string reason);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "peer {Peer} did not answer {Summary} after {Attempts} transmissions over {ElapsedSeconds:0.0}s")]
    public static partial void PeerNotResponding(ILogger logger, IPEndPoint peer, string summary, int attempts, double elapsedSeconds);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "initiating tunnel {Tunnel} to {Peer} (attempt {Attempt})")]
    public static partial void Initiating(ILogger logger, string tunnel, IPEndPoint peer, int attempt);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "peer demanded a COOKIE; retrying IKE_SA_INIT with it")]
    public static partial void CookieRequested(ILogger logger);

    [LoggerMessage(EventId = 14, Level = LogLevel.Information, Message = "peer wants key exchange method {Wanted} instead of {Sent}; retrying IKE_SA_INIT")]
    public static partial void InvalidKeRetry(ILogger logger, string wanted, string sent);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "answering {Peer} with a COOKIE first: {Reason} ({Unlogged} more COOKIEs since the last such line)")]
    public static partial void CookieSent(ILogger logger, IPEndPoint peer, string reason, long unlogged);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "{HalfOpen} half-open IKE SAs from {Peer}, its address proven by COOKIEs, reached block_threshold {Threshold}: its IKE_SA_INIT is dropped ({Unlogged} more dropped since the last such line)")]
    public static partial void HalfOpenBlocked(ILogger logger, int halfOpen, IPEndPoint peer, int threshold, long unlogged);

    [LoggerMessage(EventId = 42, Level = LogLevel.Warning, Message = "{HalfOpen} half-open IKE SAs reached half_open_limit {Limit}: IKE_SA_INIT from {Peer} is dropped ({Unlogged} more dropped since the last such line)")]
    public static partial void HalfOpenOverLimit(ILogger logger, int halfOpen, int limit, IPEndPoint peer, long unlogged);

    [LoggerMessage(EventId = 16, Level = LogLevel.Information, Message = "dead peer detected: no answer to liveness check; DPD action {Action}")]
    public static partial void DeadPeer(ILogger logger, string action);

    [LoggerMessage(EventId = 17, Level = LogLevel.Information, Message = "retrying tunnel {Tunnel} in {Delay} ({Tries} tries left): {Why}")]
    public static partial void ReconnectScheduled(ILogger logger, string tunnel, TimeSpan delay, string tries, string why);

    [LoggerMessage(EventId = 18, Level = LogLevel.Warning, Message = "authentication of {PeerId} failed: {Reason}")]
    public static partial void AuthenticationFailed(ILogger logger, string peerId, string reason);

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "internal error; closing this IKE SA")]
    public static partial void InternalError(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 19, Level = LogLevel.Information, Message = "authentication of {PeerId} with {Method} successful")]
    public static partial void Authenticated(ILogger logger, string peerId, string method);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Child SA {Child} ({Spi}) reached its soft lifetime: rekeying it")]
    public static partial void ChildSoftExpired(ILogger logger, string child, string spi);

    [LoggerMessage(EventId = 25, Level = LogLevel.Information, Message = "CHILD_SA {Child} rekeyed: SPIs {OldInbound}_i {OldOutbound}_o -> {NewInbound}_i {NewOutbound}_o")]
    public static partial void ChildRekeyed(ILogger logger, string child, string oldInbound, string oldOutbound, string newInbound, string newOutbound);

    [LoggerMessage(EventId = 26, Level = LogLevel.Information, Message = "CHILD_SA {Child} rekey collision: both sides rekeyed it; keeping {Kept}_i, {Redundant}_i is redundant: {Resolution}")]
    public static partial void ChildRekeyCollision(ILogger logger, string child, string kept, string redundant, string resolution);

    [LoggerMessage(EventId = 27, Level = LogLevel.Information, Message = "CHILD_SA {Child}: the peer wants {Wanted} instead of {Offered} for PFS (INVALID_KE_PAYLOAD): retrying with it")]
    public static partial void ChildKeyExchangeRetry(ILogger logger, string child, string offered, string wanted);

    [LoggerMessage(EventId = 28, Level = LogLevel.Information, Message = "IKE_SA {Tunnel} rekeying ({Reason})")]
    public static partial void IkeRekeying(ILogger logger, string tunnel, string reason);

    [LoggerMessage(EventId = 29, Level = LogLevel.Information, Message = "IKE_SA {Tunnel} rekeyed: SPIs {OldSpis} -> {NewSpis}, {Children} CHILD_SA(s) moved, message IDs restart at 0")]
    public static partial void IkeRekeyed(ILogger logger, string tunnel, string oldSpis, string newSpis, int children);

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "IKE_SA {Tunnel} rekey collision: both sides rekeyed it; keeping {Kept}, {Redundant} is redundant: {Resolution}")]
    public static partial void IkeRekeyCollision(ILogger logger, string tunnel, string kept, string redundant, string resolution);

    [LoggerMessage(EventId = 31, Level = LogLevel.Information, Message = "{What}: the peer answered TEMPORARY_FAILURE (it is busy with another exchange of this IKE SA); trying again in {Delay}")]
    public static partial void RekeyPostponed(ILogger logger, string what, TimeSpan delay);

    [LoggerMessage(EventId = 32, Level = LogLevel.Information, Message = "IKE_SA {Tunnel}: the peer wants {Wanted} instead of {Offered} for the rekey (INVALID_KE_PAYLOAD): retrying with it")]
    public static partial void IkeRekeyKeyExchangeRetry(ILogger logger, string tunnel, string offered, string wanted);

    [LoggerMessage(EventId = 33, Level = LogLevel.Information, Message = "IKE_SA {Tunnel} reached its hard lifetime ({Seconds:0}s) without a rekey: deleting it")]
    public static partial void IkeHardExpired(ILogger logger, string tunnel, double seconds);

    [LoggerMessage(EventId = 34, Level = LogLevel.Information, Message = "CHILD_SA {Child} went away {Why}: creating it again")]
    public static partial void ChildRecreating(ILogger logger, string child, string why);

    [LoggerMessage(EventId = 35, Level = LogLevel.Information, Message = "CHILD_SA {Child} ({Spi}): rekey requested by the operator")]
    public static partial void ChildRekeyRequested(ILogger logger, string child, string spi);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Child SA {Child} ({Spi}) reached its hard lifetime: deleting it")]
    public static partial void ChildHardExpired(ILogger logger, string child, string spi);

    [LoggerMessage(EventId = 23, Level = LogLevel.Error, Message = "Child SA {Child} ({Spi}) could not be installed in the datapath: {Reason}; {Consequence}")]
    public static partial void ChildInstallFailed(ILogger logger, string child, string spi, string reason, string consequence);

    [LoggerMessage(EventId = 24, Level = LogLevel.Error, Message = "carrying out {Effect} failed: {Error}")]
    public static partial void EffectFailed(ILogger logger, string effect, string error);

    [LoggerMessage(EventId = 36, Level = LogLevel.Warning, Message = "IKE_SA {Tunnel} reauthentication failed ({Reason}); the current IKE SA stays, trying again in {Delay}")]
    public static partial void ReauthenticationFailed(ILogger logger, string tunnel, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 37, Level = LogLevel.Information, Message = "IKE_SA {Tunnel} reauthenticated: SPIs {OldSpis} -> {NewSpis} with {Children} new CHILD_SA(s); deleting the old IKE SA")]
    public static partial void IkeReauthenticated(ILogger logger, string tunnel, string oldSpis, string newSpis, int children);

    [LoggerMessage(EventId = 38, Level = LogLevel.Information, Message = "IKE_SA {Tunnel} reauthenticating ({How})")]
    public static partial void Reauthenticating(ILogger logger, string tunnel, string how);

    [LoggerMessage(EventId = 39, Level = LogLevel.Information, Message = "IKE_SA {Tunnel} ended ({Reason}); the tunnel goes on in IKE_SA [{Other}]")]
    public static partial void IkeSaSuperseded(ILogger logger, string tunnel, string reason, string other);

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "IKE_SA {Tunnel} reauthentication collision: both sides made a new IKE SA; ours [{Ours}] has the lowest nonce and is deleted, the peer's [{Theirs}] is kept")]
    public static partial void ReauthenticationCollision(ILogger logger, string tunnel, string ours, string theirs);
}
