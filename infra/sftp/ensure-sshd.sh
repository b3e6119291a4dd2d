#!/usr/bin/env bash
# Makes sure a real OpenSSH SFTP server answers on 127.0.0.1 for the SFTP contract tests, then
# prints how to reach it as KEY=VALUE lines on stdout (for eval); progress goes to stderr.
#
#   eval "$(bash infra/sftp/ensure-sshd.sh)"     # exports nothing by itself: see .ci/run
#   bash infra/sftp/ensure-sshd.sh stop          # stops the daemon AND its session processes
#
# Needs root (a chroot, a system user). No systemd: its own sshd (Debian openssh-server,
# installed with apt-get when /usr/sbin/sshd is missing) runs with an sshd_config of its own,
# passed by absolute path (a relative -f path makes sshd reset every connection), with:
# - an ed25519 host key and a client key pair in the state folder (StrictModes no: /tmp);
# - a test user with a password set (else the account counts as locked and even key login
#   is refused), key login only, ChrootDirectory + ForceCommand internal-sftp;
# - a chroot root-owned all the way up, under /srv (never /tmp), holding inbound/, outbound/,
#   archive/ (the user's) and readonly/ (root's, with readonly/locked.x12: renames there are
#   refused with permission denied).
# A daemon this script started and that still answers is reused (idempotent).
#
# Prints: TEST_SFTP_HOST, TEST_SFTP_PORT, TEST_SFTP_USER, TEST_SFTP_KEY (client private key
# path), TEST_SFTP_HOST_KEY (SHA256 fingerprint as ssh-keygen -lf prints it), TEST_SFTP_ROOT
# (the chroot on this machine), TEST_SFTP_SSHD_PID.
#
# Settings: EDIBRIDGE_SSHD_PORT (2222), EDIBRIDGE_SSHD_USER (edisftptest),
# EDIBRIDGE_SSHD_STATE (/tmp/edibridge-test-sshd), EDIBRIDGE_SSHD_CHROOT (/srv/edibridge-test-sftp).
set -uo pipefail

PORT=${EDIBRIDGE_SSHD_PORT:-2222}
USER_NAME=${EDIBRIDGE_SSHD_USER:-edisftptest}
STATE=${EDIBRIDGE_SSHD_STATE:-/tmp/edibridge-test-sshd}
CHROOT=${EDIBRIDGE_SSHD_CHROOT:-/srv/edibridge-test-sftp}
PIDFILE="$STATE/sshd.pid"
CONFIG="$STATE/sshd_config"

log() { echo "ensure-sshd: $*" >&2; }
die() { log "$*"; exit 1; }

# The pid file names a live process (not a zombie: kill -0 succeeds on one).
alive() {
  local p
  p=$(cat "$PIDFILE" 2>/dev/null) && [ -n "$p" ] && [[ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" =~ ^[RSD]$ ]]
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }
descendants() {
  local kid
  for kid in $(ps -o pid= --ppid "$1" 2>/dev/null); do echo "$kid"; descendants "$kid"; done
}

case "${1:-start}" in
  stop)
    pids=()
    if alive; then
      listener=$(cat "$PIDFILE")
      pids+=("$listener" $(descendants "$listener"))
    fi
    # Sessions whose listener is already gone run as the test user (internal-sftp).
    if id "$USER_NAME" >/dev/null 2>&1; then pids+=($(pgrep -u "$USER_NAME" 2>/dev/null)); fi
    if [ "${#pids[@]}" -gt 0 ]; then
      kill "${pids[@]}" 2>/dev/null
      for _ in $(seq 1 100); do alive || break; sleep 0.05; done
      kill -9 "${pids[@]}" 2>/dev/null
      log "stopped sshd on port $PORT (pids ${pids[*]})"
    fi
    rm -f "$PIDFILE"
    exit 0
    ;;
  start) ;;
  *) die "usage: ensure-sshd.sh [start|stop]" ;;
esac

[ "$(id -u)" = 0 ] || die "must run as root (chroot, test user)"
if [ ! -x /usr/sbin/sshd ]; then
  log "installing openssh-server"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends openssh-server; } >&2 || die "apt-get install openssh-server failed"
fi
command -v ssh-keygen >/dev/null || die "ssh-keygen is missing"

mkdir -p "$STATE" /run/sshd
chmod 755 "$STATE"   # sshd reads authorized_keys as the test user; the private keys are 600
[ -f "$STATE/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C edibridge-test-sshd -f "$STATE/ssh_host_ed25519_key" || die "host key"
[ -f "$STATE/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "$USER_NAME@edibridge-test" -f "$STATE/client_ed25519" || die "client key"
cp "$STATE/client_ed25519.pub" "$STATE/authorized_keys"

if ! id "$USER_NAME" >/dev/null 2>&1; then
  useradd --no-create-home --home-dir / --shell /usr/sbin/nologin "$USER_NAME" || die "useradd $USER_NAME"
fi
# A password must be set, or the account counts as locked and key login is refused.
if [ "$(passwd -S "$USER_NAME" | awk '{print $2}')" != P ]; then
  echo "$USER_NAME:$(head -c 18 /dev/urandom | base64)" | chpasswd || die "chpasswd"
fi

# The chroot and every folder above it: root-owned, not group/other writable.
install -d -o root -g root -m 755 "$CHROOT"
install -d -o "$USER_NAME" -g "$USER_NAME" -m 755 "$CHROOT/inbound" "$CHROOT/outbound" "$CHROOT/archive"
install -d -o root -g root -m 755 "$CHROOT/readonly"
[ -f "$CHROOT/readonly/locked.x12" ] || { echo 'ISA*00*locked~' >"$CHROOT/readonly/locked.x12"; chmod 644 "$CHROOT/readonly/locked.x12"; }

cat >"$CONFIG.new" <<CFG
Port $PORT
ListenAddress 127.0.0.1
HostKey $STATE/ssh_host_ed25519_key
PidFile $PIDFILE
AuthorizedKeysFile $STATE/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
UsePAM no
StrictModes no
AllowUsers $USER_NAME
MaxStartups 100
MaxSessions 100
Subsystem sftp internal-sftp
Match User $USER_NAME
    ChrootDirectory $CHROOT
    ForceCommand internal-sftp
    AllowTcpForwarding no
    X11Forwarding no
CFG
/usr/sbin/sshd -t -f "$CONFIG.new" || die "sshd rejects the generated config $CONFIG.new"

if alive && port_open && cmp -s "$CONFIG.new" "$CONFIG"; then
  rm -f "$CONFIG.new"
  log "sshd already running on 127.0.0.1:$PORT (pid $(cat "$PIDFILE"))"
else
  if alive; then bash "$0" stop; fi
  port_open && die "something else listens on 127.0.0.1:$PORT (set EDIBRIDGE_SSHD_PORT)"
  mv "$CONFIG.new" "$CONFIG"
  # -f takes the absolute path; -E keeps the log out of syslog.
  /usr/sbin/sshd -f "$CONFIG" -E "$STATE/sshd.log" || die "sshd did not start; see $STATE/sshd.log"
  for _ in $(seq 1 100); do port_open && break; sleep 0.05; done
  port_open || { tail -n 20 "$STATE/sshd.log" >&2; die "sshd does not answer on 127.0.0.1:$PORT"; }
  log "sshd up on 127.0.0.1:$PORT (pid $(cat "$PIDFILE"))"
fi

echo "TEST_SFTP_HOST=127.0.0.1"
echo "TEST_SFTP_PORT=$PORT"
echo "TEST_SFTP_USER=$USER_NAME"
echo "TEST_SFTP_KEY=$STATE/client_ed25519"
echo "TEST_SFTP_HOST_KEY=$(ssh-keygen -lf "$STATE/ssh_host_ed25519_key.pub" | awk '{print $2}')"
echo "TEST_SFTP_ROOT=$CHROOT"
echo "TEST_SFTP_SSHD_PID=$(cat "$PIDFILE")"
