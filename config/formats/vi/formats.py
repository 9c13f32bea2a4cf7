"""Vietnamese: Django's long formats start with a capital "Ngày", which reads wrong mid-sentence ("từ Ngày 24 tháng
11 năm 2026", the Vietnamese review). The same words in lower case, and the day without a leading zero; the short
formats and the rest stay Django's.
"""

DATE_FORMAT = r"\n\gà\y j \t\há\n\g n \nă\m Y"
DATETIME_FORMAT = r"H:i, \n\gà\y j \t\há\n\g n \nă\m Y"
