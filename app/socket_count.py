"""How many sockets of one kind each person holds open in this process, up to a limit."""

from collections import Counter


class SocketCount:
    def __init__(self) -> None:
        self.held: Counter[int] = Counter()  # open sockets per user id

    def open(self, user_id: int, limit: int) -> bool:
        """Count one more socket for a person, unless they already hold `limit` of them."""
        if self.held[user_id] >= limit:
            return False
        self.held[user_id] += 1
        return True

    def close(self, user_id: int) -> None:
        self.held[user_id] -= 1
        if self.held[user_id] <= 0:
            del self.held[user_id]
