# bash completion for jvsadm (JVS): ipvsadm's options, schedulers and the values options take.
# Installed as /usr/share/bash-completion/completions/jvsadm.
_jvsadm() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    -s|--scheduler) COMPREPLY=($(compgen -W "rr wrr lc wlc sed nq fo ovf twos dh sh mh lblc lblcr gs" -- "$cur")); return ;;
    --engine) COMPREPLY=($(compgen -W "socket packet http" -- "$cur")); return ;;
    --start-daemon|--stop-daemon) COMPREPLY=($(compgen -W "master backup" -- "$cur")); return ;;
    --tun-type) COMPREPLY=($(compgen -W "ipip gue gre" -- "$cur")); return ;;
    --proxy-protocol) COMPREPLY=($(compgen -W "none v1 v2" -- "$cur")); return ;;
    --sync-version) COMPREPLY=($(compgen -W "0 1" -- "$cur")); return ;;
    -b|--sched-flags) COMPREPLY=($(compgen -W "sh-fallback sh-port mh-fallback mh-port flag-1 flag-2" -- "$cur")); return ;;
    --where) COMPREPLY=($(compgen -W "tcp udp sctp" -- "$cur")); return ;;
    --import-keepalived) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    -t|--tcp-service|-u|--udp-service|--sctp-service|-f|--fwmark-service|-r|--real-server|-w|--weight|-x|--u-threshold|\
    -y|--l-threshold|-p|--persistent|-M|--netmask|--mcast-interface|--syncid|--mcast-group|--mcast-port|--mcast-ttl|\
    --sync-maxlen|--tun-port|--mark|--targets|--pe) return ;;
  esac
  if [[ "$prev" == "--defense" || " ${COMP_WORDS[*]} " == *" --defense "* ]] && [[ "$cur" != -* ]]; then
    COMPREPLY=($(compgen -W "drop_entry= drop_packet= secure_tcp= amemthresh= am_droprate=" -- "$cur"))
    compopt -o nospace 2>/dev/null
    return
  fi
  COMPREPLY=($(compgen -W "-6 -A -C -D -E -L -M -R -S -V -X -Z -a -b -c -d -e -f -g -h -i -l -m -n -o -p -r -s -t -u -v -w -x -y --add-server --add-service --clear --connection --daemon --defense --delete-server --delete-service --edit-server --edit-service --engine --exact --feedback --fullnat --fwmark-service --gatewaying --health --help --import-keepalived --ipip --ipv6 --json --l-threshold --l7 --list --mark --masquerading --mcast-group --mcast-interface --mcast-port --mcast-ttl --netmask --nosort --numeric --ops --pe --persistent --persistent-conn --proxy-protocol --rate --real-server --restore --save --sched-flags --scheduler --sctp-service --set --sort --start-daemon --stats --stop-daemon --sync-maxlen --sync-version --syncid --targets --tcp-service --thresholds --timeout --tun-csum --tun-info --tun-nocsum --tun-port --tun-remcsum --tun-type --u-threshold --udp-service --version --vrrp --weight --where --zero" -- "$cur"))
}
complete -F _jvsadm jvsadm
