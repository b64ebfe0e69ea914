using System.CommandLine;
using IkeSharp.Cli.Config;
using IkeSharp.Cli.Control;
using IkeSharp.Cli.Decode;

var root = new RootCommand("ikesharp: IKEv2 tools and control of the IkeSharp daemon")
{
    DecodeCommand.Create(),
    ConfigCommands.Create(),
};
foreach (var command in ControlCommands.Create())
{
    root.Subcommands.Add(command);
}

return root.Parse(args).Invoke();
